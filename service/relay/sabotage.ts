import type { JobsOptions } from 'bullmq';
import type { Sabotage } from '../config.ts';

/** A fixed, tiny backoff: the job comes straight back, over and over. */
const HOT_RETRY_MS = 10;

/**
 * The job options the relay publishes with, broken when SABOTAGE names `unbounded-retries` (never by
 * default): no attempt limit and no backoff to speak of, so a job that always fails never reaches the
 * dead-letter queue and keeps a worker busy forever.
 */
export function sabotagedJobOptions(
  options: (jobId: string) => JobsOptions,
  sabotage: ReadonlySet<Sabotage>,
): (jobId: string) => JobsOptions {
  if (!sabotage.has('unbounded-retries')) return options;
  return (jobId) => ({
    ...options(jobId),
    attempts: Number.MAX_SAFE_INTEGER,
    backoff: { type: 'fixed', delay: HOT_RETRY_MS },
  });
}
