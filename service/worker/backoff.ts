/**
 * Exponential backoff with jitter: attempt n waits base·2^(n-1), plus up to 50% more at random so the
 * retries of jobs that failed together (a bank outage) do not hit the bank together again.
 */
export function jitteredBackoff(baseMs: number, random: () => number = Math.random) {
  return function backoff(attemptsMade: number): number {
    const exp = baseMs * 2 ** Math.max(0, attemptsMade - 1);
    return Math.round(exp * (1 + 0.5 * random()));
  };
}
