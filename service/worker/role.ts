import type { Queue } from 'bullmq';
import { Gauge } from 'prom-client';
import { bankClientFor } from '../bank/client.ts';
import type { Config } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { createPool } from '../db/pool.ts';
import { opsApp } from '../http/ops-app.ts';
import { listenOps } from '../http/ops-listener.ts';
import type { Logger } from '../log.ts';
import { registry } from '../metrics.ts';
import { failTransfer } from '../payouts/transfers-repo.ts';
import {
  DEAD_LETTER_QUEUE,
  openQueue,
  PAYOUTS_QUEUE,
  producerConnection,
  queueConnection,
} from '../queue/queues.ts';
import type { Running } from '../roles.ts';
import { workerVariants } from '../sabotage/index.ts';
import type { DeadLetter } from './dead-letters.ts';
import { startPayoutWorker } from './payout-worker.ts';
import { transferStatements } from './transfer-statements.ts';

/**
 * A worker killed mid-job is not the job's fault: BullMQ may take a job up again this many times before
 * it fails it (it is then dead-lettered and closed like any final failure; recon catches the rest).
 */
const MAX_STALLED_COUNT = 5;

/** The worker role: pays transfers out through the bank; SIGTERM drains in-flight jobs. */
export async function start(config: Config, log: Logger): Promise<Running> {
  const pool = createPool(config, { max: Math.min(config.WORKER_CONCURRENCY, 20), log, name: 'worker' });
  await migrate(pool);
  const bank = bankClientFor(config);
  const connection = queueConnection(config);
  const dlq = openQueue<DeadLetter>(DEAD_LETTER_QUEUE, connection, config);
  dlq.on('error', () => {});
  // The depth gauge reads through a fail-fast connection: a scrape while Redis is away must not hang.
  const gaugeConnection = producerConnection(config);
  const gaugeQueues = [PAYOUTS_QUEUE, DEAD_LETTER_QUEUE].map((name) =>
    openQueue(name, gaugeConnection, config),
  );
  for (const q of gaugeQueues) q.on('error', () => {});
  registerQueueGauge(gaugeQueues);

  const transfers = transferStatements(pool, {
    lockTimeoutMs: config.LOCK_TIMEOUT_MS,
    batch: config.WORKER_BATCH ? { max: config.WORKER_BATCH_MAX } : null,
    log,
  });
  // The broken variants a selftest run asks for (none otherwise), wrapped around the real parts.
  const variants = workerVariants(config);
  const worker = variants.worker(
    startPayoutWorker({
      deps: variants.deps({ pool, bank, failTransfer, dlq, transfers, log }),
      connection,
      prefix: config.QUEUE_PREFIX,
      concurrency: config.WORKER_CONCURRENCY,
      stalledIntervalMs: config.STALLED_INTERVAL_MS,
      lockMs: config.JOB_LOCK_MS,
      maxStalledCount: MAX_STALLED_COUNT,
      backoffMs: config.WORKER_BACKOFF_MS,
    }),
  );

  // Which statement path a worker runs on, so a run's logs say what was measured or tested.
  log.info(
    { concurrency: config.WORKER_CONCURRENCY, batch: config.WORKER_BATCH ? config.WORKER_BATCH_MAX : 'off' },
    'payout worker started',
  );
  const server = await listenOps(opsApp(), config, log);
  return {
    async stop() {
      // close() lets in-flight jobs finish and takes no new ones: a deploy loses nothing.
      await worker.close();
      await server.close();
      await Promise.all([dlq.close(), ...gaugeQueues.map((q) => q.close())]);
      connection.disconnect();
      gaugeConnection.disconnect();
      bank.close();
      await pool.end();
    },
  };
}

const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed'] as const;

/** Queue depth by state, read from Redis at scrape time. */
function registerQueueGauge(queues: Pick<Queue, 'name' | 'getJobCounts'>[]) {
  new Gauge({
    name: 'queue_jobs',
    help: 'Jobs in each BullMQ queue, by state.',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      for (const q of queues) {
        const counts = await q.getJobCounts(...STATES);
        for (const s of STATES) this.set({ queue: q.name, state: s }, counts[s] ?? 0);
      }
    },
  });
}
