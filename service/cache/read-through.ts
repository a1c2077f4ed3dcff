import { randomUUID } from 'node:crypto';
import { Coalescer } from '../coalescing/coalescer.ts';
import { cacheLoads, cacheLockWaits, cacheRequests } from '../metrics.ts';
import type { CacheLink, CacheName } from './cache-link.ts';
import { LuaScript } from './lua-script.ts';
import { jitteredTtlMs } from './ttl.ts';

const claimScript = new LuaScript(new URL('./lua/cache-claim-2.lua', import.meta.url));
const fillScript = new LuaScript(new URL('./lua/cache-fill-2.lua', import.meta.url));
const releaseScript = new LuaScript(new URL('./lua/lock-release-1.lua', import.meta.url));
const renewScript = new LuaScript(new URL('./lua/lock-renew-1.lua', import.meta.url));

/** How often a process waiting on another's load looks for the entry (it costs one GET). */
const LOCK_POLL_MS = 10;
/**
 * How many lock lifetimes a process waits for another's load. The loader renews its lock while it
 * works, so a slow load (a loaded pool) keeps the others waiting rather than loading too; a dead one
 * frees the lock within one lifetime. The cap bounds a wait on a loader that is alive but stuck.
 */
const WAIT_LIFETIMES = 5;

export interface ReadThroughOptions<V> {
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
  /** false only for sabotage `no-single-flight`: every miss loads and writes on its own. */
  singleFlight?: boolean;
}

/**
 * A per-user cache entry in the cache Redis, read through to Postgres on a miss, with stampede
 * protection: in one process, concurrent misses share one load (Coalescer); across processes, one
 * loader takes a short Redis lock and the others poll for its value instead of querying Postgres. The
 * value is written only while its loader still holds the lock (cache-fill-2.lua); every purge deletes
 * the lock, so a load that may predate an update never lands after that update's purge.
 */
export class ReadThroughCache<V> {
  readonly #o: ReadThroughOptions<V>;
  readonly #flights = new Coalescer<string, V | null>();

  constructor(opts: ReadThroughOptions<V>) {
    this.#o = opts;
  }

  /** The value for `userId`: from the cache when it is trusted and holds it, else from Postgres. */
  async get(userId: string): Promise<V | null> {
    const { link, name } = this.#o;
    if (!link.trusted()) return this.#bypass(userId);
    let cached: V | undefined;
    try {
      cached = await this.#read(link.key(name, userId));
    } catch (err) {
      link.failed(name, err);
      return this.#bypass(userId);
    }
    if (cached !== undefined) {
      cacheRequests.inc({ cache: name, result: 'hit' });
      return cached;
    }
    cacheRequests.inc({ cache: name, result: 'miss' });
    if (this.#o.singleFlight === false) return this.#loadAlone(userId);
    return this.#flights.run(userId, () => this.#flight(userId));
  }

  /**
   * Write-through after an update (whose purge already ran): loads the committed value and writes it,
   * unless another loader took the lock after the purge, in which case its value is as fresh.
   */
  async refresh(userId: string): Promise<void> {
    const { link, name, lockMs } = this.#o;
    if (!link.trusted()) return;
    const key = link.key(name, userId);
    const lock = link.lockKey(key);
    const token = randomUUID();
    try {
      if ((await link.redis.set(lock, token, 'PX', lockMs, 'NX')) !== 'OK') return;
    } catch (err) {
      link.failed(name, err);
      return;
    }
    // A failed load leaves the entry purged: the next read loads it. The update itself has committed.
    await this.#loadAndFill(userId, key, lock, token).catch(() => {});
  }

  #bypass(userId: string): Promise<V | null> {
    cacheRequests.inc({ cache: this.#o.name, result: 'bypass' });
    return this.#flights.run(userId, () => this.#load(userId));
  }

  /** One process's load of a missing entry: wait for another process's load, or load and fill. */
  async #flight(userId: string): Promise<V | null> {
    const { link, name, lockMs } = this.#o;
    const key = link.key(name, userId);
    const lock = link.lockKey(key);
    const deadline = performance.now() + WAIT_LIFETIMES * lockMs;
    let waiting = false;
    while (link.trusted() && performance.now() < deadline) {
      const token = randomUUID();
      let claim: [string, string?];
      try {
        claim = (await claimScript.run(link.redis, [key, lock], [token, lockMs])) as [string, string?];
      } catch (err) {
        link.failed(name, err);
        break;
      }
      if (claim[0] === 'hit') return JSON.parse(claim[1] as string) as V;
      if (claim[0] === 'locked') return this.#loadAndFill(userId, key, lock, token);
      if (!waiting) cacheLockWaits.inc({ cache: name });
      waiting = true;
      await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
    }
    // The cache went untrusted, or the loader is stuck: Postgres, without filling.
    return this.#load(userId);
  }

  /** Loads from Postgres and writes the value while the lock is still ours; Redis errors are absorbed. */
  async #loadAndFill(userId: string, key: string, lock: string, token: string): Promise<V | null> {
    const { link, name, lockMs } = this.#o;
    let value: V | null;
    const renew = setInterval(() => {
      renewScript.run(link.redis, [lock], [token, lockMs]).catch(() => {});
    }, lockMs / 2);
    try {
      value = await this.#load(userId);
    } catch (err) {
      await releaseScript.run(link.redis, [lock], [token]).catch(() => {});
      throw err;
    } finally {
      clearInterval(renew);
    }
    try {
      if (value === null || !this.#keyedByRow(key, value))
        await releaseScript.run(link.redis, [lock], [token]);
      else if (link.trusted())
        await fillScript.run(link.redis, [key, lock], [token, JSON.stringify(value), this.#ttl()]);
    } catch (err) {
      link.failed(name, err);
    }
    return value;
  }

  /** Sabotage `no-single-flight`: load and write without any coordination. */
  async #loadAlone(userId: string): Promise<V | null> {
    const { link, name } = this.#o;
    const value = await this.#load(userId);
    if (value !== null)
      await link.redis
        .set(link.key(name, this.#o.idOf(value)), JSON.stringify(value), 'PX', this.#ttl())
        .catch((err) => link.failed(name, err));
    return value;
  }

  /** True when `key` is the key of the row's own id (see ReadThroughOptions.idOf). */
  #keyedByRow(key: string, value: V): boolean {
    return key === this.#o.link.key(this.#o.name, this.#o.idOf(value));
  }

  async #read(key: string): Promise<V | undefined> {
    const raw = await this.#o.link.redis.get(key);
    return raw === null ? undefined : (JSON.parse(raw) as V);
  }

  #load(userId: string): Promise<V | null> {
    cacheLoads.inc({ cache: this.#o.name });
    return this.#o.load(userId);
  }

  #ttl(): number {
    return jitteredTtlMs(this.#o.ttlMs, this.#o.jitter);
  }
}
