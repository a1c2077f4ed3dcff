import { mulberry32 } from '../../lib/prng.ts';

/**
 * Arrival schedules of the open model: when each request is meant to start, whatever the server does.
 * A constant rate (k6's constant-arrival-rate, pgbench --rate) is one stage whose rate does not change;
 * a ramp (k6's ramping-arrival-rate) is stages whose rate moves linearly from the previous target to
 * their own, exactly as k6 interpolates them.
 */

export interface Stage {
  durationS: number;
  /** Arrivals per second at the end of the stage. */
  targetPerS: number;
}

export interface ArrivalPlan {
  /** Arrivals per second at time 0. */
  startPerS: number;
  stages: Stage[];
}

/** `fixed`: evenly spaced (k6, pgbench without -P); `poisson`: exponential gaps (pgbench --rate). */
export type Spacing = 'fixed' | 'poisson';

/** A constant arrival rate for `durationS`. */
export function constantRate(ratePerS: number, durationS: number): ArrivalPlan {
  return { startPerS: ratePerS, stages: [{ durationS, targetPerS: ratePerS }] };
}

/** Checks a plan; throws a message naming the bad field. */
export function validatePlan(plan: ArrivalPlan): void {
  const bad = (what: string) => {
    throw new Error(`arrival plan: ${what}`);
  };
  if (!(plan.startPerS >= 0) || !Number.isFinite(plan.startPerS)) bad('startPerS must be ≥ 0');
  if (plan.stages.length === 0) bad('needs at least one stage');
  for (const [i, s] of plan.stages.entries()) {
    if (!(s.durationS > 0) || !Number.isFinite(s.durationS)) bad(`stage ${i}: durationS must be > 0`);
    if (!(s.targetPerS >= 0) || !Number.isFinite(s.targetPerS)) bad(`stage ${i}: targetPerS must be ≥ 0`);
  }
}

/** Total length of the plan in ms. */
export function planDurationMs(plan: ArrivalPlan): number {
  return plan.stages.reduce((ms, s) => ms + s.durationS * 1000, 0);
}

interface Segment {
  fromMs: number;
  durationMs: number;
  /** Rates per ms at the segment's start and end. */
  r0: number;
  r1: number;
  /** Arrivals expected before the segment starts (Λ at fromMs). */
  before: number;
}

function segments(plan: ArrivalPlan): Segment[] {
  const out: Segment[] = [];
  let fromMs = 0;
  let before = 0;
  let rate = plan.startPerS / 1000;
  for (const s of plan.stages) {
    const durationMs = s.durationS * 1000;
    const r1 = s.targetPerS / 1000;
    out.push({ fromMs, durationMs, r0: rate, r1, before });
    before += ((rate + r1) / 2) * durationMs;
    fromMs += durationMs;
    rate = r1;
  }
  return out;
}

/** Λ(T): the arrivals the plan offers over its whole length (not rounded). */
export function expectedArrivals(plan: ArrivalPlan): number {
  const last = segments(plan).at(-1);
  return last ? last.before + ((last.r0 + last.r1) / 2) * last.durationMs : 0;
}

/** The stage (index) that time `ms` falls in; the last stage for the plan's very end. */
export function stageAt(plan: ArrivalPlan, ms: number): number {
  let end = 0;
  for (const [i, s] of plan.stages.entries()) {
    end += s.durationS * 1000;
    if (ms < end) return i;
  }
  return plan.stages.length - 1;
}

/** Λ⁻¹(u): the time (ms) by which `u` arrivals are expected, or null when the plan ends first. */
function timeOf(segs: Segment[], u: number): number | null {
  for (const s of segs) {
    const within = u - s.before;
    const total = ((s.r0 + s.r1) / 2) * s.durationMs;
    if (within > total) continue;
    if (within <= 0) return s.fromMs;
    // Λ inside the segment is r0·x + a·x² with a = (r1 − r0)/(2·D); this root form is stable for any
    // sign of a, and for r0 = 0.
    const a = (s.r1 - s.r0) / (2 * s.durationMs);
    const x = (2 * within) / (s.r0 + Math.sqrt(s.r0 * s.r0 + 4 * a * within));
    return s.fromMs + Math.min(x, s.durationMs);
  }
  return null;
}

/**
 * Intended start times (ms from the start) of every arrival, ascending. `fixed` puts arrival i at
 * Λ⁻¹(i), so a constant rate r over T seconds offers exactly ⌈r·T⌉; `poisson` puts it at Λ⁻¹ of a sum of
 * exponential gaps drawn from `seed`, which is a Poisson process of the plan's rate (time rescaling).
 */
export function* arrivalTimes(
  plan: ArrivalPlan,
  { spacing = 'fixed', seed = 1 }: { spacing?: Spacing; seed?: number } = {},
): Generator<number> {
  validatePlan(plan);
  const segs = segments(plan);
  const endMs = planDurationMs(plan);
  const rng = mulberry32(seed);
  // Arrival u belongs to the plan when u < Λ(T); the margin keeps rounding from adding one at the end.
  const last = expectedArrivals(plan) - 1e-9;
  let u = 0;
  for (let i = 0; ; i++) {
    if (spacing === 'poisson') u += -Math.log(1 - rng());
    else u = i;
    if (u >= last) return;
    const t = timeOf(segs, u);
    if (t === null || t >= endMs) return;
    yield t;
  }
}
