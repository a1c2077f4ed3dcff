import { cacheLoads, cacheRequests } from '../metrics.ts';
import type { CacheLink, CacheName } from './cache-link.ts';
import { singleFlight } from './single-flight.ts';

/** One cache: what it holds, where, for how long, and the Postgres read behind it. */
export interface CacheEntries<V> {
  name: CacheName;
  link: CacheLink;
  ttlMs: number;
  /** Fraction of the TTL added at random to each entry. */
  jitter: number;
  /** Lifetime of the fill lock (renewed by a live loader); waiters wait up to five lifetimes. */
  lockMs: number;
  /** The Postgres read behind the cache; null when there is nothing (not cached). */
  load: (userId: string) => Promise<V | null>;
  /**
   * The user id a loaded value belongs to, as Postgres answered it. A value is written only under the
   * key of that id: an entry's key comes from the row, never from what a request asked for (an id in
   * another letter case would otherwise fill a second entry that no purge ever reaches).
   */
  idOf: (value: V) => string;
}

/** How a cache reaches Postgres: a read past the cache, the fill of a missing entry, a write-through. */
export interface Fill<V> {
  /** Postgres alone, the cache untrusted: nothing is written. */
  load(userId: string): Promise<V | null>;
  /** The value of a missing entry, from Postgres, written back to the cache. */
  miss(userId: string): Promise<V | null>;
  /** After an update's purge, the cache trusted: loads the committed value and writes it. */
  refresh(userId: string): Promise<void>;
}

/** Builds a cache's fill; its `load` counts every Postgres read. */
export type FillFactory = <V>(entries: CacheEntries<V>) => Fill<V>;

export interface ReadThroughOptions<V> extends CacheEntries<V> {
  /** How misses are filled; by default with stampede protection (single-flight.ts). */
  fill?: FillFactory;
}

/**
 * A per-user cache entry in the cache Redis, read through to Postgres on a miss: served from Redis only
 * while the link trusts it (cache-link.ts), else read from Postgres; a miss is filled by the cache's
 * fill, which by default lets one load per entry run at a time across every process (single-flight.ts).
 */
export class ReadThroughCache<V> {
  readonly #o: ReadThroughOptions<V>;
  readonly #fill: Fill<V>;

  constructor({ fill = singleFlight, ...entries }: ReadThroughOptions<V>) {
    this.#o = entries;
    this.#fill = fill({
      ...entries,
      load: (userId) => {
        cacheLoads.inc({ cache: entries.name });
        return entries.load(userId);
      },
    });
  }

  /** The value for `userId`: from the cache when it is trusted and holds it, else from Postgres. */
  async get(userId: string): Promise<V | null> {
    const { link, name } = this.#o;
    if (!link.trusted()) return this.#bypass(userId);
    let cached: V | undefined;
    try {
      const raw = await link.redis.get(link.key(name, userId));
      cached = raw === null ? undefined : (JSON.parse(raw) as V);
    } catch (err) {
      link.failed(name, err);
      return this.#bypass(userId);
    }
    if (cached !== undefined) {
      cacheRequests.inc({ cache: name, result: 'hit' });
      return cached;
    }
    cacheRequests.inc({ cache: name, result: 'miss' });
    return this.#fill.miss(userId);
  }

  /**
   * Write-through after an update (whose purge already ran): loads the committed value and writes it,
   * unless another loader took the lock after the purge, in which case its value is as fresh.
   */
  async refresh(userId: string): Promise<void> {
    if (!this.#o.link.trusted()) return;
    await this.#fill.refresh(userId);
  }

  #bypass(userId: string): Promise<V | null> {
    cacheRequests.inc({ cache: this.#o.name, result: 'bypass' });
    return this.#fill.load(userId);
  }
}
