import { z } from 'zod';

/**
 * The Redis Sentinel part of the service configuration (merged into config.ts's schema). With a list of
 * Sentinels, a Redis is reached through them: the client asks them where the master of the named group
 * is, and asks again after a failover, so no client holds a server's address (REDIS_*_URL then gives
 * only credentials and TLS; its host is not dialled).
 */

/** `host:port,host:port,…` → the Sentinels' addresses; empty or absent: no Sentinel. */
const sentinelList = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === '') return undefined;
    const parsed: Array<{ host: string; port: number }> = [];
    for (const a of v.split(',').map((s) => s.trim())) {
      const match = /^([^:\s]+):(\d{1,5})$/.exec(a);
      const port = Number(match?.[2]);
      if (!match?.[1] || !(port >= 1 && port <= 65_535)) {
        ctx.addIssue({
          code: 'custom',
          message: `"${a}" is not host:port (a comma-separated list is expected)`,
        });
        return z.NEVER;
      }
      parsed.push({ host: match[1], port });
    }
    return parsed;
  });

const list = 'comma-separated `host:port`; empty: none';

export const sentinelVariables = {
  REDIS_QUEUE_SENTINELS: sentinelList
    .describe(
      'The Sentinels watching the queue Redis (the `ha` topology, docs/failover.md): every client, BullMQ included, asks them for the current master instead of dialling REDIS_QUEUE_URL’s host. Unset: dial REDIS_QUEUE_URL.',
    )
    .meta({ allowed: list }),
  REDIS_QUEUE_SENTINEL_MASTER: z
    .string()
    .min(1)
    .default('faultline-queue')
    .describe('The queue Redis’s master group name, as the Sentinels know it.'),
  REDIS_CACHE_SENTINELS: sentinelList
    .describe(
      'The Sentinels watching the cache Redis: the API asks them for the current master instead of dialling REDIS_CACHE_URL’s host. Unset: dial REDIS_CACHE_URL.',
    )
    .meta({ allowed: list }),
  REDIS_CACHE_SENTINEL_MASTER: z
    .string()
    .min(1)
    .default('faultline-cache')
    .describe('The cache Redis’s master group name, as the Sentinels know it.'),
};
