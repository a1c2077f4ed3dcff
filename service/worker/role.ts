import { type Queue, Worker } from 'bullmq';
import { Counter, Gauge, Histogram } from 'prom-client';
import { BankClient } from '../bank/client.ts';
import type { Config } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { createPool } from '../db/pool.ts';
import { opsApp } from '../http/ops-app.ts';
import { listen } from '../http/serve.ts';
import type { Logger } from '../log.ts';
import { registry } from '../metrics.ts';
import {
  DEAD_LETTER_QUEUE,
  openQueue,
  PAYOUTS_QUEUE,
  type PayoutJobData,
  queueConnection,
  workerName,
} from '../queue/queues.ts';
import type { Running } from '../roles.ts';
import { jitteredBackoff } from './backoff.ts';
import type { DeadLetter } from './dead-letters.ts';
import { processPayout } from './process-payout.ts';

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

/** The worker role: pays transfers out through the bank; SIGTERM drains in-flight jobs. */
export async function start(config: Config, log: Logger): Promise<Running> {
  const pool = createPool({
    url: config.DATABASE_URL,
    max: Math.min(config.WORKER_CONCURRENCY, 20),
    log,
    name: 'worker',
  });
  await migrate(pool);
  const bank = new BankClient({ baseUrl: config.BANK_URL, timeoutMs: config.BANK_TIMEOUT_MS });
  const connection = queueConnection(config);
  const dlq = openQueue<DeadLetter>(DEAD_LETTER_QUEUE, connection, config);
  const payouts = openQueue<PayoutJobData>(PAYOUTS_QUEUE, connection, config);
  for (const q of [dlq, payouts]) q.on('error', () => {});
  registerQueueGauge([payouts, dlq]);

  const worker = new Worker<PayoutJobData>(
    PAYOUTS_QUEUE,
    async (job) => {
      if (job.attemptsMade === 0 && job.processedOn)
        jobWait.observe((job.processedOn - job.timestamp) / 1000);
      const end = jobDuration.startTimer();
      try {
        const outcome = await processPayout({ pool, bank, dlq, log, sabotage: config.SABOTAGE }, job);
        end({ outcome });
        return outcome;
      } catch (err) {
        end({ outcome: 'error' });
        throw err;
      }
    },
    {
      connection,
      prefix: config.QUEUE_PREFIX,
      name: workerName(),
      concurrency: config.WORKER_CONCURRENCY,
      stalledInterval: config.STALLED_INTERVAL_MS,
      lockDuration: config.JOB_LOCK_MS,
      // A worker killed mid-job is not the job's fault: allow several stalls before BullMQ gives up
      // (recon still resolves the transfer if it ever does).
      maxStalledCount: 5,
      settings: { backoffStrategy: jitteredBackoff(config.WORKER_BACKOFF_MS) },
    },
  );
  worker.on('error', (err) => log.warn({ err: err.message }, 'worker connection error'));
  worker.on('stalled', (jobId) => {
    jobsStalled.inc();
    log.warn({ jobId }, 'stalled job taken up again');
  });
  worker.on('failed', (job, err) =>
    log.warn(
      { jobId: job?.id, transferId: job?.data.transferId, attemptsMade: job?.attemptsMade, err: err.message },
      'attempt failed',
    ),
  );

  const server = await listen(opsApp(), { host: config.HOST, port: config.PORT });
  return {
    async stop() {
      // close() lets in-flight jobs finish and takes no new ones: a deploy loses nothing.
      await worker.close();
      await server.close();
      await Promise.all([dlq.close(), payouts.close()]);
      connection.disconnect();
      await pool.end();
    },
  };
}

const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed', 'paused'] as const;

/** Queue depth by state, read from Redis at scrape time. */
function registerQueueGauge(queues: Pick<Queue, 'name' | 'getJobCounts'>[]) {
  new Gauge({
    name: 'queue_jobs',
    help: 'Jobs in each BullMQ queue, by state.',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      for (const q of queues) {
        const counts = await q.getJobCounts(...STATES).catch(() => null);
        if (!counts) continue;
        for (const s of STATES) this.set({ queue: q.name, state: s }, counts[s] ?? 0);
      }
    },
  });
}
