import type { JobsOptions } from 'bullmq';
import type { Config } from '../config.ts';
import { payoutJobOptions } from '../queue/queues.ts';

/** A fixed, tiny backoff: the job comes straight back, over and over. */
const HOT_RETRY_MS = 10;

/**
 * `unbounded-retries`: the options the relay publishes payout jobs with, without an attempt limit and
 * without a backoff to speak of, so a job that always fails never reaches the dead-letter queue and
 * keeps a worker busy forever.
 */
export function unboundedRetries(config: Config): (jobId: string) => JobsOptions {
  return (jobId) => ({
    ...payoutJobOptions(config, jobId),
    attempts: Number.MAX_SAFE_INTEGER,
    backoff: { type: 'fixed', delay: HOT_RETRY_MS },
  });
}
