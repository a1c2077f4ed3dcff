import type pg from 'pg';
import { BalanceReads } from '../balances/balance-reads.ts';
import { CacheLink, type CacheLinkOptions } from '../cache/cache-link.ts';
import { createCacheRedis } from '../cache/cache-redis.ts';
import { type FillFactory, ReadThroughCache } from '../cache/read-through.ts';
import type { Config } from '../config.ts';
import { requirePiiKeys } from '../config-security.ts';
import { createPool } from '../db/pool.ts';
import type { Logger } from '../log.ts';
import { PiiCipher } from '../pii/pii-cipher.ts';
import { type DashboardMetadata, Dashboards, dashboardMetadata } from '../profiles/dashboards.ts';
import type { StoredProfile } from '../profiles/profile.ts';
import { Profiles } from '../profiles/profiles.ts';
import { getDashboardMetadata, getProfile } from '../profiles/profiles-repo.ts';
import { RateLimiter } from '../ratelimit/rate-limiter.ts';
import type { RedisWindow } from '../ratelimit/redis-window.ts';
import { rulesFrom } from '../ratelimit/rules.ts';
import { sentinelTarget } from '../redis-sentinel.ts';

/** What the read side of the API needs: the cache link, cached profiles and dashboards, balances, limits. */
export interface ReadServices {
  link: CacheLink;
  profiles: Profiles;
  dashboards: Dashboards;
  balances: BalanceReads;
  limiter: RateLimiter;
  /** Connects to the cache Redis and starts the sync passes. */
  start(): void;
  stop(): Promise<void>;
}

/** Parts of the read side the role may wire otherwise; each absent one is the real one. */
export interface ReadParts {
  /** The link to the cache Redis: when its entries may be served, what a failed purge waits for. */
  link?: (opts: CacheLinkOptions) => CacheLink;
  /** How the caches fill their misses (stampede protection by default). */
  fill?: FillFactory;
  /** How the rate limiter decides in Redis (one atomic script by default). */
  window?: RedisWindow;
}

/** Builds the read services on the API's own fail-fast client of the cache Redis. */
export function createReadServices(
  config: Config,
  pool: pg.Pool,
  log: Logger,
  parts: ReadParts = {},
): ReadServices {
  const cipher = new PiiCipher(requirePiiKeys(config));
  // Two connections: one for the sync passes, one for writers waiting on their invalidation row.
  const syncPool = createPool(config, { max: 2, log, name: 'api-cache-sync' });
  const { link: newLink = (opts) => new CacheLink(opts) } = parts;
  const link = newLink({
    redis: createCacheRedis({
      url: config.REDIS_CACHE_URL,
      commandTimeoutMs: config.CACHE_COMMAND_TIMEOUT_MS,
      tlsCaFile: config.TLS_CA_FILE,
      sentinel: sentinelTarget(config, 'cache'),
    }),
    pool: syncPool,
    prefix: config.CACHE_PREFIX,
    syncIntervalMs: config.CACHE_SYNC_INTERVAL_MS,
    leaseMs: config.CACHE_TRUST_LEASE_MS,
    log,
  });
  const common = {
    link,
    jitter: config.CACHE_TTL_JITTER,
    lockMs: config.CACHE_LOCK_MS,
    fill: parts.fill,
  };
  const profileCache = new ReadThroughCache<StoredProfile>({
    ...common,
    name: 'profile',
    ttlMs: config.PROFILE_CACHE_TTL_MS,
    load: (userId) => getProfile(pool, userId),
    idOf: (p) => p.userId,
  });
  const dashboardCache = new ReadThroughCache<DashboardMetadata>({
    ...common,
    name: 'dashboard',
    ttlMs: config.DASHBOARD_CACHE_TTL_MS,
    load: async (userId) => {
      const row = await getDashboardMetadata(pool, userId);
      return row ? dashboardMetadata(row) : null;
    },
    idOf: (d) => d.userId,
  });
  const balances = new BalanceReads(pool);
  const limiter = new RateLimiter({
    link,
    rules: rulesFrom(config),
    window: parts.window,
  });
  return {
    link,
    balances,
    limiter,
    profiles: new Profiles({
      pool,
      link,
      cache: profileCache,
      cipher,
    }),
    dashboards: new Dashboards({ cache: dashboardCache, balances, cipher }),
    start: () => link.start(),
    async stop() {
      limiter.close();
      await link.stop();
      await syncPool.end();
    },
  };
}
