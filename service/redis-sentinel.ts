import type { Config } from './config.ts';

/** A Redis reached through Sentinel: where the Sentinels are and the name of the master group. */
export interface SentinelTarget {
  sentinels: Array<{ host: string; port: number }>;
  name: string;
}

/** The queue or cache Redis's Sentinel target from the configuration; undefined when it has none. */
export function sentinelTarget(config: Config, redis: 'queue' | 'cache'): SentinelTarget | undefined {
  const sentinels = redis === 'queue' ? config.REDIS_QUEUE_SENTINELS : config.REDIS_CACHE_SENTINELS;
  if (!sentinels) return undefined;
  return {
    sentinels,
    name: redis === 'queue' ? config.REDIS_QUEUE_SENTINEL_MASTER : config.REDIS_CACHE_SENTINEL_MASTER,
  };
}

/**
 * ioredis options for a Redis behind Sentinel (nothing without a target). failoverDetector: the client
 * also listens for the Sentinels' +switch-master, so it leaves a master that was demoted while its
 * connection stayed open instead of writing into a replica until the connection breaks.
 */
export function redisSentinelOptions(target: SentinelTarget | undefined): {
  sentinels?: SentinelTarget['sentinels'];
  name?: string;
  failoverDetector?: boolean;
} {
  return target ? { sentinels: target.sentinels, name: target.name, failoverDetector: true } : {};
}
