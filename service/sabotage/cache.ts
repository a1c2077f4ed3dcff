import { CacheLink } from '../cache/cache-link.ts';
import type { CacheEntries, Fill } from '../cache/read-through.ts';
import { singleFlight } from '../cache/single-flight.ts';
import { jitteredTtlMs } from '../cache/ttl.ts';

/**
 * `no-single-flight`: every miss loads from Postgres and writes the entry on its own, with no
 * per-process sharing and no Redis lock; reads past the cache and write-throughs stay as they are.
 */
export function uncoordinatedFill<V>(entries: CacheEntries<V>): Fill<V> {
  const real = singleFlight(entries);
  const { link, name } = entries;
  return {
    load: (userId) => real.load(userId),
    refresh: (userId) => real.refresh(userId),
    async miss(userId) {
      const value = await entries.load(userId);
      if (value !== null)
        await link.redis
          .set(
            link.key(name, entries.idOf(value)),
            JSON.stringify(value),
            'PX',
            jitteredTtlMs(entries.ttlMs, entries.jitter),
          )
          .catch((err) => link.failed(name, err));
      return value;
    },
  };
}

/**
 * `no-purge-while-down`: a link that trusts the cache whenever it is connected, and forgets a purge that
 * could not reach Redis (its invalidation row is deleted, not awaited): after the heal, the entry the
 * purge missed is served again.
 */
export class ForgetfulCacheLink extends CacheLink {
  override trusted(): boolean {
    return this.redis.status === 'ready';
  }

  override async awaitInvalidation(id: string): Promise<'applied' | 'lease-expired'> {
    await this.forget(id);
    return 'lease-expired';
  }
}
