import { Redis } from 'ioredis';
import { redisSentinelOptions, type SentinelTarget } from '../redis-sentinel.ts';
import { redisTlsOptions } from '../redis-tls.ts';

/** Reconnect quickly after a cut heals, without hammering a Redis that is still away. */
const MAX_RECONNECT_DELAY_MS = 500;

/**
 * The API's own client of the cache Redis (cache entries and rate-limit windows), separate from the
 * queue's: it fails fast instead of waiting for Redis. No offline queue (a command while disconnected
 * fails at once), no retry of a command after a disconnect, and a short command timeout; the callers
 * then answer from Postgres (cache) or the in-process limiter.
 */
export function createCacheRedis(opts: {
  url: string;
  commandTimeoutMs: number;
  tlsCaFile?: string;
  sentinel?: SentinelTarget;
}): Redis {
  const redis = new Redis(opts.url, {
    ...redisTlsOptions(opts.url, opts.tlsCaFile),
    ...redisSentinelOptions(opts.sentinel),
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: opts.commandTimeoutMs,
    connectTimeout: 1_000,
    retryStrategy: (attempt) => Math.min(50 * attempt, MAX_RECONNECT_DELAY_MS),
  });
  redis.on('error', () => {}); // counted where a command fails; reconnecting is ioredis's job
  return redis;
}

/** A bounded label for cache_errors_total: why a command to the cache Redis failed. */
export function errorCause(err: unknown): 'connection' | 'timeout' | 'oom' | 'other' {
  const message = String((err as Error)?.message ?? err);
  if (/timed out/i.test(message)) return 'timeout';
  if (message.startsWith('OOM')) return 'oom';
  if (
    /Connection is closed|Stream isn't writeable|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|max retries|Reached the max/i.test(
      message,
    )
  )
    return 'connection';
  return 'other';
}
