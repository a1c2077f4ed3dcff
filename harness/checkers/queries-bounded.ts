import type { CheckResult } from '../core/check-result.ts';

/**
 * Postgres queries for one user's balance stayed bounded while it was hammered: no more than the
 * requests admitted (coalescing can only lower it), and no more than the limit allows in the time.
 */
export function queriesBounded(m: {
  queries: number;
  admitted: number;
  asked: number;
  limit: number;
  windowMs: number;
  durationMs: number;
}): CheckResult {
  const allowed = m.limit * (Math.ceil(m.durationMs / m.windowMs) + 1);
  const bound = Math.min(m.admitted, allowed);
  const valid = m.queries <= bound;
  const example = { queries: m.queries, admitted: m.admitted, allowedByLimit: allowed };
  return {
    name: 'balance-queries-bounded',
    description:
      'Postgres balance queries stayed within what the limit admits (limit per window over the run), whatever the request rate.',
    valid,
    errorCount: valid ? 0 : m.queries - bound,
    ...(valid ? {} : { first: example, worst: example, last: example }),
    figures: {
      queries: m.queries,
      bound,
      asked: m.asked,
      queries_per_1000_asked: m.asked ? Math.round((m.queries * 1000) / m.asked) : 0,
    },
  };
}
