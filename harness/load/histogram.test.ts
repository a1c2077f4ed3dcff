import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './histogram.ts';

/** The exact quantile as the histogram defines it: the value at rank ⌈q·n⌉ of the sorted values. */
function exact(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1] as number;
}

describe('LatencyHistogram', () => {
  it('is exact below 128 µs and within 0.8 % above, for p50/p90/p99, with an exact max', () => {
    const values: number[] = [];
    // A long tail: 0.05 ms to ~2 minutes, deterministic.
    for (let i = 0; i < 20_000; i++) values.push(0.05 * 1.0007 ** i);
    const h = new LatencyHistogram();
    for (const v of values) h.record(v);
    expect(h.count).toBe(values.length);
    expect(h.max).toBeCloseTo(Math.max(...values), 3);
    for (const q of [0.5, 0.9, 0.99]) {
      const want = exact(values, q);
      expect(Math.abs(h.quantile(q) - want) / want).toBeLessThan(0.008);
    }
    const small = new LatencyHistogram();
    for (const us of [5, 17, 99, 120]) small.record(us / 1000);
    expect(small.quantile(0.5)).toBe(0.017);
    expect(small.quantile(1)).toBe(0.12);
  });

  it('merges: the merged quantiles are those of all values together', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    const all = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) {
      (i % 3 === 0 ? a : b).record(i);
      all.record(i);
    }
    a.merge(b);
    expect(a.summary()).toEqual(all.summary());
    expect(a.count).toBe(1000);
    expect(a.quantile(0.5)).toBeGreaterThanOrEqual(500 * 0.992);
    expect(a.quantile(0.5)).toBeLessThanOrEqual(500 * 1.008);
  });

  it('is all zeros when empty, and never reports below the minimum', () => {
    expect(new LatencyHistogram().summary()).toEqual({ count: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 });
    const h = new LatencyHistogram();
    h.record(1234.5);
    expect(h.quantile(0.01)).toBe(1234.5);
    expect(h.quantile(0.99)).toBe(1234.5);
  });
});
