import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { Counter, Histogram } from 'prom-client';
import { registry } from '../metrics.ts';
import { PAYOUTS_QUEUE, type PayoutJobData, workerName } from '../queue/queues.ts';
import { jitteredBackoff } from './backoff.ts';
import { failStalledJob, type PayoutWorkerDeps, processPayout } from './process-payout.ts';

const jobWait = new Histogram({
  name: 'payout_job_wait_seconds',
  help: 'Time a payout job waited in the queue before its first attempt started.',
  buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900],
  registers: [registry],
});
const jobDuration = new Histogram({
  name: 'payout_job_duration_seconds',
  help: 'Processing time of one payout job attempt, by outcome.',
  labelNames: ['outcome'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});
const jobsStalled = new Counter({
  name: 'payout_jobs_stalled_total',
  help: 'Payout jobs whose worker died or stalled, moved back to be taken up again.',
  registers: [registry],
});

export interface PayoutWorkerOptions {
  deps: PayoutWorkerDeps;
  connection: Redis;
  prefix: string;
  concurrency: number;
  stalledIntervalMs: number;
  lockMs: number;
  /** Stalls a job may have before BullMQ fails it (then it is dead-lettered like any final failure). */
  maxStalledCount: number;
  backoffMs: number;
}

/**
 * The BullMQ worker of the payout queue: runs processPayout per job, and dead-letters the jobs BullMQ
 * fails on its own for stalling too often (it never hands those to the processor).
 */
export function startPayoutWorker(opts: PayoutWorkerOptions): Worker<PayoutJobData> {
  const { deps } = opts;
  const worker = new Worker<PayoutJobData>(
    PAYOUTS_QUEUE,
    async (job) => {
      if (job.attemptsMade === 0 && job.processedOn)
        jobWait.observe((job.processedOn - job.timestamp) / 1000);
      const end = jobDuration.startTimer();
      try {
        const outcome = await processPayout(deps, job);
        end({ outcome });
        return outcome;
      } catch (err) {
        end({ outcome: 'error' });
        throw err;
      }
    },
    {
      connection: opts.connection,
      prefix: opts.prefix,
      name: workerName(),
      concurrency: opts.concurrency,
      stalledInterval: opts.stalledIntervalMs,
      lockDuration: opts.lockMs,
      maxStalledCount: opts.maxStalledCount,
      settings: { backoffStrategy: jitteredBackoff(opts.backoffMs) },
    },
  );
  worker.on('error', (err) => deps.log.warn({ err: err.message }, 'worker connection error'));
  worker.on('stalled', (jobId) => {
    jobsStalled.inc();
    deps.log.warn({ jobId }, 'stalled job taken up again');
  });
  worker.on('failed', (job, err) => {
    deps.log.warn(
      { jobId: job?.id, transferId: job?.data.transferId, attemptsMade: job?.attemptsMade, err: err.message },
      'attempt failed',
    );
    if (job && stalledTooOften(job)) {
      failStalledJob(deps, job, err.message).catch((e: Error) =>
        deps.log.error({ jobId: job.id, err: e.message }, 'could not close a job that stalled too often'),
      );
    }
  });
  return worker;
}

/** BullMQ marks a job that exceeded maxStalledCount with a deferred failure and fails it unprocessed. */
function stalledTooOften(job: Job<PayoutJobData>): boolean {
  return typeof job.deferredFailure === 'string' && job.deferredFailure.length > 0;
}
