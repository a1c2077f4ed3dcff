import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { TcpProxy } from '../../harness/chaos/toxiproxy/proxy.ts';
import { createUser } from '../accounts/accounts-repo.ts';
import { CacheLink } from '../cache/cache-link.ts';
import { createCacheRedis } from '../cache/cache-redis.ts';
import { ReadThroughCache } from '../cache/read-through.ts';
import { requirePiiKeys } from '../config-security.ts';
import { createLogger } from '../log.ts';
import { PiiCipher } from '../pii/pii-cipher.ts';
import type { StoredProfile } from '../profiles/profile.ts';
import { Profiles } from '../profiles/profiles.ts';
import { getProfile } from '../profiles/profiles-repo.ts';
import { readVariants } from '../sabotage/index.ts';
import { eventually, type TestEnv, testEnv } from './harness.ts';

/**
 * What the cache tests share: a test database, a direct client of the cache Redis, and "API processes"
 * reduced to their cache stack (each with its own Redis connection), which a test can point at a Redis
 * it cuts, kills or never started.
 */

export const SYNC_MS = 100;
export const LEASE_MS = 1_000;
export const TTL_MS = 600_000;

export interface CacheProcOptions {
  /** A broken variant of the cache stack, wired as the API role wires it. */
  sabotage?: 'no-purge-while-down' | 'no-single-flight';
  /** Runs after the loader's Postgres read: a slow loader, whose value may be old when it writes. */
  afterRead?: () => Promise<void>;
}

export type CacheProc = ReturnType<CacheWorld['proc']>;
export type CacheWorld = Awaited<ReturnType<typeof cacheWorld>>;

export async function cacheWorld() {
  const t: TestEnv = await testEnv();
  const direct = new Redis(inject('stack').redisCache.url);
  const started: Array<{ stop(): Promise<void> }> = [];

  /** One API process's cache stack, pointed at `url`. */
  function proc(url = inject('stack').redisCache.url, opts: CacheProcOptions = {}) {
    const parts = readVariants(new Set(opts.sabotage ? [opts.sabotage] : []));
    const { link: newLink = (o) => new CacheLink(o) } = parts;
    const link = newLink({
      redis: createCacheRedis({ url, commandTimeoutMs: 1_000 }),
      pool: t.pool,
      prefix: t.config.CACHE_PREFIX,
      syncIntervalMs: SYNC_MS,
      leaseMs: LEASE_MS,
      log: createLogger({ role: 'test', level: 'silent' }),
    });
    let loads = 0;
    const cache = new ReadThroughCache<StoredProfile>({
      name: 'profile',
      link,
      ttlMs: TTL_MS,
      jitter: 0.1,
      lockMs: 2_000,
      fill: parts.fill,
      load: async (id) => {
        loads++;
        const profile = await getProfile(t.pool, id);
        await opts.afterRead?.();
        return profile;
      },
      idOf: (p) => p.userId,
    });
    const profiles = new Profiles({
      pool: t.pool,
      link,
      cache,
      cipher: new PiiCipher(requirePiiKeys(t.config)),
    });
    link.start();
    const p = { link, cache, profiles, loads: () => loads, stop: () => link.stop() };
    started.push(p);
    return p;
  }

  return {
    t,
    direct,
    proc,
    /** Waits until the process serves from its cache. */
    trusted: (p: { link: CacheLink }) => eventually(async () => p.link.trusted(), { everyMs: 10 }),
    newUser: async () => (await createUser(t.pool, `u-${randomUUID().slice(0, 8)}`)).id,
    entryKey: (userId: string) => `${t.config.CACHE_PREFIX}:cache:profile:${userId}`,
    async pendingInvalidations(userId: string): Promise<number> {
      const { rows } = await t.pool.query(
        'SELECT count(*)::int AS n FROM cache_invalidations WHERE user_id = $1',
        [userId],
      );
      return rows[0].n;
    },
    /** A TCP link to a Redis that a test can cut (connections dropped, new ones refused) and heal. */
    async cuttableLink(upstreamPort: number) {
      const proxy = new TcpProxy({
        name: randomUUID(),
        listen: '127.0.0.1:0',
        upstream: `127.0.0.1:${upstreamPort}`,
      });
      await proxy.start();
      started.push({ stop: () => proxy.stop() });
      return { url: `redis://${proxy.listen}`, cut: () => proxy.stop(), heal: () => proxy.start() };
    },
    /** Registers something for stopAll(). */
    track: (s: { stop(): Promise<void> }) => started.push(s),
    /** Stops every process and link the test started. */
    async stopAll() {
      for (const s of started.splice(0)) await s.stop();
    },
    async close() {
      const keys = await direct.keys(`${t.config.CACHE_PREFIX}:*`);
      if (keys.length) await direct.del(...keys);
      direct.disconnect();
      await t.close();
    },
  };
}
