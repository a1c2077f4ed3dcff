import { QueueEvents, Worker } from 'bullmq';
import { Gauge, Histogram } from 'prom-client';
import { z } from 'zod';
import { bankClientFor } from '../bank/client.ts';
import type { Config } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { createPool } from '../db/pool.ts';
import { opsApp } from '../http/ops-app.ts';
import { listenOps } from '../http/ops-listener.ts';
import type { Logger } from '../log.ts';
import { registry } from '../metrics.ts';
import {
  openQueue,
  PAYOUTS_QUEUE,
  type PayoutJobData,
  payoutJobOptions,
  producerConnection,
  queueConnection,
  RECON_QUEUE,
} from '../queue/queues.ts';
import type { Running } from '../roles.ts';
import { reconVariants } from '../sabotage/index.ts';
import { countStuck } from './recon-repo.ts';
import { type ReconSummary, reconcile } from './reconcile.ts';

const runDuration = new Histogram({
  name: 'recon_run_duration_seconds',
  help: 'Duration of one recon janitor run.',
  buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900],
  registers: [registry],
});

const SCHEDULER_ID = 'recon-janitor';

/**
 * The recon role: a BullMQ job scheduler fires a run every RECON_INTERVAL_MS; POST /recon/run fires one
 * now and answers its summary. Runs go through the recon queue, so one process runs one at a time.
 */
export async function start(config: Config, log: Logger): Promise<Running> {
  const pool = createPool({ url: config.DATABASE_URL, max: 4, log, name: 'recon' });
  await migrate(pool);
  const bank = bankClientFor(config);
  const producer = producerConnection(config);
  const connection = queueConnection(config);
  const payouts = openQueue<PayoutJobData>(PAYOUTS_QUEUE, producer, config);
  const reconQueue = openQueue<object>(RECON_QUEUE, connection, config);
  const events = new QueueEvents(RECON_QUEUE, {
    connection: queueConnection(config),
    prefix: config.QUEUE_PREFIX,
  });
  for (const q of [payouts, reconQueue]) q.on('error', () => {});
  events.on('error', () => {});

  new Gauge({
    name: 'bank_transfers_stuck',
    help: 'Transfers open (PENDING/PROCESSING) and unmoved for longer than RECON_STUCK_AFTER_MS.',
    registers: [registry],
    async collect() {
      this.set(await countStuck(pool, config.RECON_STUCK_AFTER_MS));
    },
  });

  // The broken variants a selftest run asks for (none otherwise), spread over the real dependencies.
  const variants = reconVariants(config);
  const worker = new Worker<object, ReconSummary>(
    RECON_QUEUE,
    async () => {
      const end = runDuration.startTimer();
      try {
        return await reconcile({
          pool,
          bank,
          payouts,
          jobOptions: (jobId) => payoutJobOptions(config, jobId),
          log,
          stuckAfterMs: config.RECON_STUCK_AFTER_MS,
          maxAttempts: config.RECON_MAX_ATTEMPTS,
          queueBound: config.RECON_QUEUE_BOUND,
          batch: config.RECON_BATCH,
          maxRunMs: config.RECON_INTERVAL_MS,
          ...variants,
        });
      } finally {
        end();
      }
    },
    { connection, prefix: config.QUEUE_PREFIX, concurrency: 1 },
  );
  worker.on('error', (err) => log.warn({ err: err.message }, 'recon worker connection error'));
  worker.on('failed', (_job, err) => log.error({ err: err.message }, 'recon run failed'));
  await reconQueue.upsertJobScheduler(SCHEDULER_ID, { every: config.RECON_INTERVAL_MS }, { name: 'recon' });

  const runQuery = z.object({ timeoutMs: z.coerce.number().int().min(1).max(3_600_000).default(600_000) });
  const app = opsApp((a) =>
    a.post('/recon/run', async (c) => {
      const q = runQuery.safeParse(c.req.query());
      if (!q.success)
        return c.json({ code: 'invalid_request', message: 'timeoutMs must be 1..3600000' }, 400);
      const job = await reconQueue.add('recon', {}, { removeOnComplete: 100, removeOnFail: 100 });
      const summary = await job.waitUntilFinished(events, q.data.timeoutMs);
      return c.json({ jobId: job.id, summary });
    }),
  );
  const server = await listenOps(app, config, log);
  return {
    async stop() {
      await worker.close();
      await server.close();
      await Promise.all([payouts.close(), reconQueue.close(), events.close()]);
      producer.disconnect();
      connection.disconnect();
      bank.close();
      await pool.end();
    },
  };
}
