import type { Config } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { createPool } from '../db/pool.ts';
import { opsApp } from '../http/ops-app.ts';
import { listenOps } from '../http/ops-listener.ts';
import type { Logger } from '../log.ts';
import {
  openQueue,
  PAYOUTS_QUEUE,
  type PayoutJobData,
  payoutJobOptions,
  producerConnection,
} from '../queue/queues.ts';
import type { Running } from '../roles.ts';
import { relayVariants } from '../sabotage/index.ts';
import { outboxHintChannel } from './outbox-hint.ts';
import { registerOutboxGauge, startRelayLoop } from './relay.ts';

/** The relay role: outbox -> BullMQ. Several can run at once. */
export async function start(config: Config, log: Logger): Promise<Running> {
  const pool = createPool({ url: config.DATABASE_URL, max: 4, log, name: 'relay' });
  await migrate(pool);
  registerOutboxGauge(pool);
  const connection = producerConnection(config);
  const queue = openQueue<PayoutJobData>(PAYOUTS_QUEUE, connection, config);
  queue.on('error', () => {});
  // The broken variants a selftest run asks for (none otherwise), in place of the real loop and options.
  const { startLoop = startRelayLoop, jobOptions = (jobId) => payoutJobOptions(config, jobId) } =
    relayVariants(config, log);
  const loop = startLoop({
    pool,
    queue,
    jobOptions,
    batch: config.RELAY_BATCH,
    pollMs: config.RELAY_POLL_MS,
    databaseUrl: config.DATABASE_URL,
    hints: { redis: connection, channel: outboxHintChannel(config.QUEUE_PREFIX) },
    log,
  });
  const server = await listenOps(opsApp(), config, log);
  return {
    async stop() {
      await loop.stop();
      await server.close();
      await queue.close();
      connection.disconnect();
      await pool.end();
    },
  };
}
