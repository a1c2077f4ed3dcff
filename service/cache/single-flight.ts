import { randomUUID } from 'node:crypto';
import { Coalescer } from '../coalescing/coalescer.ts';
import { cacheLockWaits } from '../metrics.ts';
import { LuaScript } from './lua-script.ts';
import type { CacheEntries, Fill } from './read-through.ts';
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

/** The stampede-protected fill, every cache's by default. */
export function singleFlight<V>(entries: CacheEntries<V>): Fill<V> {
  return new SingleFlight(entries);
}

/**
 * Stampede protection: in one process, concurrent loads of one user share one (Coalescer); across
 * processes, one loader takes a short Redis lock and the others poll for its value instead of querying
 * Postgres. The value is written only while its loader still holds the lock (cache-fill-2.lua); every
 * purge deletes the lock, so a load that may predate an update never lands after that update's purge.
 */
class SingleFlight<V> implements Fill<V> {
  readonly #e: CacheEntries<V>;
  readonly #flights = new Coalescer<string, V | null>();

  constructor(entries: CacheEntries<V>) {
    this.#e = entries;
  }

  load(userId: string): Promise<V | null> {
    return this.#flights.run(userId, () => this.#e.load(userId));
  }

  miss(userId: string): Promise<V | null> {
    return this.#flights.run(userId, () => this.#flight(userId));
  }

  async refresh(userId: string): Promise<void> {
    const { link, name, lockMs } = this.#e;
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

  /** One process's load of a missing entry: wait for another process's load, or load and fill. */
  async #flight(userId: string): Promise<V | null> {
    const { link, name, lockMs } = this.#e;
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
    return this.#e.load(userId);
  }

  /** Loads from Postgres and writes the value while the lock is still ours; Redis errors are absorbed. */
  async #loadAndFill(userId: string, key: string, lock: string, token: string): Promise<V | null> {
    const { link, name, lockMs } = this.#e;
    let value: V | null;
    const renew = setInterval(() => {
      renewScript.run(link.redis, [lock], [token, lockMs]).catch(() => {});
    }, lockMs / 2);
    try {
      value = await this.#e.load(userId);
    } catch (err) {
      await releaseScript.run(link.redis, [lock], [token]).catch(() => {});
      throw err;
    } finally {
      clearInterval(renew);
    }
    try {
      // Written only under the key of the row's own id (CacheEntries.idOf).
      if (value === null || key !== link.key(name, this.#e.idOf(value)))
        await releaseScript.run(link.redis, [lock], [token]);
      else if (link.trusted())
        await fillScript.run(link.redis, [key, lock], [token, JSON.stringify(value), this.#ttl()]);
    } catch (err) {
      link.failed(name, err);
    }
    return value;
  }

  #ttl(): number {
    return jitteredTtlMs(this.#e.ttlMs, this.#e.jitter);
  }
}
