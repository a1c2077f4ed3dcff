import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import '../service/db/pg-types.ts';
import { PAYOUTS_QUEUE, type PayoutJobData } from '../service/queue/queues.ts';
import { redisClientOptions, type Stack } from './index.ts';

/** Connections of faultline's own to a stack (the bench's, the native target's), straight to the servers (never through a proxy). */
export interface DirectClients {
  db: pg.Pool;
  /** The queue Redis. */
  redis: Redis;
  /** The payout queue, read through `redis`. */
  queue: Queue<PayoutJobData>;
  close(): Promise<void>;
}

/** Opens a Postgres pool of `poolMax`, a queue Redis connection and the payout queue on it. */
export function directClients(
  stack: Stack,
  { poolMax, applicationName }: { poolMax: number; applicationName?: string },
): DirectClients {
  const db = new pg.Pool({
    connectionString: stack.postgres.url,
    max: poolMax,
    ...(applicationName ? { application_name: applicationName } : {}),
  });
  db.on('error', () => {});
  const redis = new Redis(stack.redisQueue.url, {
    maxRetriesPerRequest: null,
    ...redisClientOptions(stack.info(), 'queue'),
  });
  redis.on('error', () => {});
  const queue = new Queue<PayoutJobData>(PAYOUTS_QUEUE, {
    connection: redis,
    prefix: stack.serviceEnv().QUEUE_PREFIX,
  });
  queue.on('error', () => {});
  return {
    db,
    redis,
    queue,
    async close() {
      await queue.close().catch(() => {});
      redis.disconnect();
      await db.end().catch(() => {});
    },
  };
}
