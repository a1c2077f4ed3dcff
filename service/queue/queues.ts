import { hostname } from 'node:os';
import { type JobsOptions, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import { redisSentinelOptions, sentinelTarget } from '../redis-sentinel.ts';
import { redisTlsOptions } from '../redis-tls.ts';

export const PAYOUTS_QUEUE = 'payouts';
export const DEAD_LETTER_QUEUE = 'payouts-dead';
export const RECON_QUEUE = 'recon';

export interface PayoutJobData {
  transferId: string;
}

/**
 * A job id derived from the transfer id, so publishing the same outbox row twice (relay crash between
 * addBulk and commit, two relays) adds one job. Recon and DLQ replays add a suffix: they are new attempts.
 */
export function payoutJobId(transferId: string, suffix?: string): string {
  return suffix ? `transfer-${transferId}-${suffix}` : `transfer-${transferId}`;
}

/**
 * The name a process of the pipeline goes by: a worker gives it BullMQ, which stamps it on every job it
 * takes (`processedBy`), and a relay writes it on the outbox rows it leases (`publish_lease_owner`):
 * which host and process held a job or a row, for operators and for the harness that stops that process.
 */
export function workerName(pid: number = process.pid, host: string = hostname()): string {
  return `${host}:${pid}`;
}

/**
 * Reconnect delay after the queue Redis went away: 50 ms more per attempt, at most 2 s, so a worker is
 * back within 2 s of a restarted Redis (ioredis 6's default backs off exponentially to 5 s).
 */
export const reconnectDelayMs = (attempt: number): number => Math.min(50 * attempt, 2_000);

/** A BullMQ connection: workers need maxRetriesPerRequest null so blocking commands survive reconnects. */
export function queueConnection(config: Config): Redis {
  const redis = new Redis(config.REDIS_QUEUE_URL, {
    maxRetriesPerRequest: null,
    retryStrategy: reconnectDelayMs,
    ...redisTlsOptions(config.REDIS_QUEUE_URL, config.TLS_CA_FILE),
    ...redisSentinelOptions(sentinelTarget(config, 'queue')),
  });
  redis.on('error', () => {}); // reconnects on its own; BullMQ reports failures where they matter
  return redis;
}

/**
 * Connection for producers (relay, recon): commands fail fast while Redis is away instead of hanging,
 * so the relay's transaction rolls back and the outbox rows stay unpublished until Redis returns.
 */
export function producerConnection(config: Config): Redis {
  const redis = new Redis(config.REDIS_QUEUE_URL, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    commandTimeout: 2_000,
    retryStrategy: reconnectDelayMs,
    ...redisTlsOptions(config.REDIS_QUEUE_URL, config.TLS_CA_FILE),
    ...redisSentinelOptions(sentinelTarget(config, 'queue')),
  });
  redis.on('error', () => {});
  return redis;
}

export function openQueue<T>(name: string, connection: Redis, config: Config): Queue<T> {
  return new Queue<T>(name, { connection, prefix: config.QUEUE_PREFIX });
}

/** Options of every payout job: bounded attempts with our jittered exponential backoff (worker/backoff.ts). */
export function payoutJobOptions(config: Config, jobId: string): JobsOptions {
  return {
    jobId,
    attempts: config.WORKER_ATTEMPTS,
    backoff: { type: 'jittered' },
    // Completed jobs are kept for an hour (enough to inspect a run), failed ones for a week.
    removeOnComplete: { age: 3_600, count: 100_000 },
    removeOnFail: { age: 7 * 86_400 },
  };
}
