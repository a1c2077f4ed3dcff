/**
 * One line of samples.jsonl: what the service looked like at `t`. A part is null when its source did not
 * answer in time (an API down, Postgres crashed, the queue Redis cut): a gap, never a made-up zero.
 */
export interface Sample {
  /** Milliseconds since the run started, like the history's times and the fault windows. */
  t: number;
  /** account_lock_wait_seconds summed over every running API process, cumulative since it started. */
  lockWait: { buckets: Array<[number, number]>; count: number; sum: number } | null;
  /** The payout queue by state, read from the queue Redis directly. */
  queue: { waiting: number; active: number; delayed: number } | null;
  /** Transfers debited but neither settled nor refunded yet, and their amount (minor units). */
  inFlight: { transfers: number; amountCents: number } | null;
  /** How long taking this sample took (ms): the sampler's own cost, shown so it can be judged. */
  costMs: number;
}
