import type { CheckResult } from '../core/check-result.ts';
import type { Completed } from '../core/history.ts';
import { responseStatus } from './response.ts';

interface Admission {
  invokedAt: number;
  completedAt: number;
}

/**
 * The most admissions that certainly fell inside one window: the server decided each request at some
 * moment between its invocation and its completion, so a set of admitted requests that were all invoked
 * at or after `t` and all completed before `t + windowMs` was admitted within one window. Counting only
 * such sets makes the check sound (no false alarm from network delay) while a real burst past the limit
 * (many admissions within milliseconds) still shows.
 */
export function certainPeak(admitted: Admission[], windowMs: number): { peak: number; at: number } {
  const sorted = [...admitted].sort((a, b) => a.invokedAt - b.invokedAt);
  let peak = 0;
  let at = 0;
  for (let i = 0; i < sorted.length; i++) {
    const start = (sorted[i] as Admission).invokedAt;
    let n = 0;
    for (let j = i; j < sorted.length && (sorted[j] as Admission).invokedAt < start + windowMs; j++) {
      if ((sorted[j] as Admission).completedAt < start + windowMs) n++;
    }
    if (n > peak) {
      peak = n;
      at = start;
    }
  }
  return { peak, at };
}

/**
 * A sliding-window limit held: no window of `windowMs` holds more than `limit` admitted (200) requests
 * of kind `f`, judged from the history's timestamps alone.
 */
export function rateLimitHeld(
  ops: Completed[],
  { f, limit, windowMs }: { f: string; limit: number; windowMs: number },
): CheckResult {
  const mine = ops.filter((o) => o.f === f);
  const admitted = mine
    .filter((o) => o.type === 'ok' && responseStatus(o) === 200 && o.completedAt !== null)
    .map((o) => ({ invokedAt: o.invokedAt, completedAt: o.completedAt as number }));
  const limited = mine.filter((o) => responseStatus(o) === 429).length;
  const { peak, at } = certainPeak(admitted, windowMs);
  const valid = peak <= limit;
  const example = { windowStart: at, windowMs, admittedInWindow: peak, limit };
  return {
    name: 'rate-limit-held',
    description: `No ${windowMs} ms window admitted more than ${limit} ${f} requests of one user.`,
    valid,
    errorCount: valid ? 0 : peak - limit,
    ...(valid ? {} : { first: example, worst: example, last: example }),
    figures: {
      asked: mine.length,
      admitted: admitted.length,
      limited,
      peak_admitted_in_window: peak,
      limit,
    },
  };
}
