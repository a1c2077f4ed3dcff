import { describe, expect, it } from 'vitest';
import { arrivalTimes, constantRate, expectedArrivals, stageAt, validatePlan } from './schedule.ts';

const count = (it: Iterable<number>) => [...it].length;

describe('arrival schedules', () => {
  it('a constant rate r over T seconds offers exactly ⌈r·T⌉ evenly spaced arrivals', () => {
    const times = [...arrivalTimes(constantRate(200, 0.5))];
    expect(times).toHaveLength(100);
    expect(times[0]).toBe(0);
    expect(times[1]).toBeCloseTo(5, 9);
    expect(times[99]).toBeCloseTo(495, 9);
    expect(count(arrivalTimes(constantRate(3, 1)))).toBe(3);
    expect(count(arrivalTimes(constantRate(2.5, 1)))).toBe(3);
  });

  it('a linear ramp offers the area under its rate, at Λ⁻¹(i)', () => {
    // 0 → 100/s over 1 s: Λ(t) = 50·t², so 50 arrivals, the i-th at √(i/50) s.
    const plan = { startPerS: 0, stages: [{ durationS: 1, targetPerS: 100 }] };
    expect(expectedArrivals(plan)).toBeCloseTo(50, 9);
    const times = [...arrivalTimes(plan)];
    expect(times).toHaveLength(50);
    for (const [i, t] of times.entries()) expect(t).toBeCloseTo(Math.sqrt(i / 50) * 1000, 6);
    // Up, hold, down: 50 + 100 + 50.
    const ramp = {
      startPerS: 0,
      stages: [
        { durationS: 1, targetPerS: 100 },
        { durationS: 1, targetPerS: 100 },
        { durationS: 1, targetPerS: 0 },
      ],
    };
    expect(expectedArrivals(ramp)).toBeCloseTo(200, 9);
    const all = [...arrivalTimes(ramp)];
    expect(all).toHaveLength(200);
    expect(all.filter((t) => stageAt(ramp, t) === 1)).toHaveLength(100);
    expect(all.every((t, i) => i === 0 || t > (all[i - 1] as number))).toBe(true);
  });

  it('poisson spacing is seeded: the same seed gives the same times, another seed others', () => {
    const plan = constantRate(1000, 2);
    const a = [...arrivalTimes(plan, { spacing: 'poisson', seed: 7 })];
    const b = [...arrivalTimes(plan, { spacing: 'poisson', seed: 7 })];
    const c = [...arrivalTimes(plan, { spacing: 'poisson', seed: 8 })];
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    // 2,000 expected; a Poisson count's standard deviation is √2000 ≈ 45.
    expect(a.length).toBeGreaterThan(1_700);
    expect(a.length).toBeLessThan(2_300);
    expect(a.every((t, i) => i === 0 || t >= (a[i - 1] as number))).toBe(true);
  });

  it('refuses a plan without stages or with a negative rate', () => {
    expect(() => validatePlan({ startPerS: 0, stages: [] })).toThrow(/at least one stage/);
    expect(() => validatePlan({ startPerS: 0, stages: [{ durationS: 1, targetPerS: -1 }] })).toThrow(
      /targetPerS/,
    );
    expect(() => validatePlan(constantRate(10, 0))).toThrow(/durationS/);
  });
});
