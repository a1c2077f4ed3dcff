import { Redis } from 'ioredis';
import { listen } from '../../lib/http-serve.ts';
import type { Config } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { createPool } from '../db/pool.ts';
import { createFraudScreen } from '../fraud/screen.ts';
import { opsApp } from '../http/ops-app.ts';
import { listenOps } from '../http/ops-listener.ts';
import type { Logger } from '../log.ts';
import { moneyDeps } from '../money/money-deps.ts';
import { reconnectDelayMs } from '../queue/queues.ts';
import { redisSentinelOptions, sentinelTarget } from '../redis-sentinel.ts';
import { redisTlsOptions } from '../redis-tls.ts';
import { OutboxHint, outboxHintChannel } from '../relay/outbox-hint.ts';
import type { Running } from '../roles.ts';
import { apiVariants } from '../sabotage/index.ts';
import { createApp } from './app.ts';
import { AuthCache } from './auth.ts';
import { createReadServices } from './read-services.ts';
import { readinessDetail } from './routes/health.ts';

/**
 * The API role: applies migrations, then serves the HTTP API on HOST:PORT and its operator endpoints
 * (/metrics, /readyz with detail) on the ops listener, OPS_HOST:OPS_PORT.
 */
export async function start(config: Config, log: Logger): Promise<Running> {
  const pool = createPool(config, { max: config.DATABASE_POOL_MAX, log, name: 'api' });
  const applied = await migrate(pool);
  if (applied.length) log.info({ applied }, 'migrations applied');
  // Fail fast and never queue commands while Redis is away: the API only pings it for /readyz.
  const redisQueue = new Redis(config.REDIS_QUEUE_URL, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: reconnectDelayMs,
    ...redisTlsOptions(config.REDIS_QUEUE_URL, config.TLS_CA_FILE),
    ...redisSentinelOptions(sentinelTarget(config, 'queue')),
  });
  redisQueue.on('error', () => {});
  redisQueue.connect().catch(() => log.warn('queue redis unreachable at start'));

  // The broken variants a selftest run asks for (none otherwise), wired in below in place of real parts.
  const variants = apiVariants(config, { pool, log });
  // After each commit that left payouts for the relay: a hint over the queue Redis (the relay polls too).
  const hint = new OutboxHint(redisQueue, outboxHintChannel(config.QUEUE_PREFIX));
  // The cache Redis through its own fail-fast client: reads fall back to Postgres when it is away.
  const reads = createReadServices(config, pool, log, variants.reads);
  reads.start();
  const fraud = createFraudScreen(config, reads.link, { check: variants.velocityCheck });
  const app = createApp({
    pool,
    authCache: new AuthCache({ ttlMs: config.AUTH_CACHE_TTL_MS, max: config.AUTH_CACHE_MAX }),
    redisQueue,
    reads,
    fraud,
    log,
    maxAmount: config.MAX_AMOUNT,
    money: moneyDeps(config, pool, { onCreated: () => hint.send(), ...variants.money }),
  });
  const server = await listen(app, { host: config.HOST, port: config.PORT });
  log.info({ port: server.port }, 'api listening');
  const ops = await listenOps(opsApp(readinessDetail({ pool, redisQueue })), config, log);
  return {
    async stop() {
      await server.close();
      await ops.close();
      fraud.close();
      await reads.stop();
      redisQueue.disconnect();
      await variants.close();
      await pool.end();
    },
  };
}
