import type { Redis } from 'ioredis';
import type pg from 'pg';
import { Gauge } from 'prom-client';
import { sql } from '../db/sql.ts';
import type { Logger } from '../log.ts';
import { cacheErrors, cacheInvalidationsApplied, registry } from '../metrics.ts';
import { errorCause } from './cache-redis.ts';

/** The cached things; each is one entry per user. */
export type CacheName = 'profile' | 'dashboard';

/** Outbox rows purged per Redis command in a sync pass. */
const SYNC_BATCH = 500;
/** How often a writer whose own purge failed checks whether another process applied it. */
const AWAIT_POLL_MS = 50;

export interface CacheLinkOptions {
  redis: Redis;
  /**
   * The outbox's Postgres: a small pool of its own, so the sync passes that keep the cache trusted never
   * queue behind request traffic (a burst of requests must not make the cache lapse).
   */
  pool: pg.Pool;
  /** Key prefix in the cache Redis. */
  prefix: string;
  syncIntervalMs: number;
  leaseMs: number;
  log: Logger;
}

/**
 * The API process's link to the cache Redis, and whether what that Redis holds may be served.
 *
 * A profile update records the entries it invalidates in Postgres (cache_invalidations) in its own
 * transaction and purges them in Redis after the commit. If that purge cannot reach Redis, the row
 * stays. Every process runs a sync pass every `syncIntervalMs`: it purges every pending row and deletes
 * it. A process serves from the cache only while (1) its connection has not dropped and no command has
 * failed since its last successful pass, and (2) that pass *started* less than `leaseMs` ago. A writer
 * whose purge failed answers only once its row is gone or `leaseMs` has passed since its commit: by
 * then, any process still trusting its cache has run a pass that started after the commit and so purged
 * the row. Hence no read that starts after an update was acknowledged is served the older profile,
 * whether Redis was cut, restarted or slow, and whichever process reconnects first.
 */
export class CacheLink {
  readonly redis: Redis;
  readonly #opts: CacheLinkOptions;
  /** Bumped whenever the connection closes or a command fails: trust must be earned again. */
  #epoch = 0;
  #trust: { epoch: number; since: number } | null = null;
  #pingEpoch = -1;
  #pass: Promise<boolean> | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(opts: CacheLinkOptions) {
    this.#opts = opts;
    this.redis = opts.redis;
    this.redis.on('close', () => this.#distrust('connection closed'));
    this.redis.on('ready', () => void this.sync());
    links.add(this);
  }

  /** The key of a user's entry in one cache. */
  key(cache: CacheName, userId: string): string {
    return `${this.#opts.prefix}:cache:${cache}:${userId}`;
  }

  /** The key of the lock a loader holds while it fills an entry. */
  lockKey(entryKey: string): string {
    return `${entryKey}:lock`;
  }

  /** The key prefix for other users of the cache Redis (the rate limiter). */
  get prefix(): string {
    return this.#opts.prefix;
  }

  /** True when entries in the cache Redis may be served (see the class comment). */
  trusted(): boolean {
    if (this.redis.status !== 'ready') return false;
    const t = this.#trust;
    if (t === null || t.epoch !== this.#epoch) return false;
    if (performance.now() - t.since < this.#opts.leaseMs) return true;
    this.#distrust('no sync pass succeeded within the trust lease');
    return false;
  }

  /** True when the cache Redis answered the last probe and nothing failed since (for the rate limiter). */
  reachable(): boolean {
    return this.redis.status === 'ready' && this.#pingEpoch === this.#epoch;
  }

  /** Records a failed command: counted by cause, and the cache is distrusted until the next good pass. */
  failed(user: string, err: unknown): void {
    cacheErrors.inc({ cache: user, cause: errorCause(err) });
    this.#distrust(`${user}: ${(err as Error)?.message ?? err}`);
  }

  /** Purges entries of one user (entry and lock, in one atomic DEL); false when Redis was not reached. */
  async purge(userId: string, caches: readonly CacheName[]): Promise<boolean> {
    const keys = caches.flatMap((c) => [this.key(c, userId), this.lockKey(this.key(c, userId))]);
    try {
      await this.redis.del(...keys);
      return true;
    } catch (err) {
      this.failed('purge', err);
      return false;
    }
  }

  /**
   * After a purge that failed: waits until the invalidation row is applied by any process's pass, or
   * until no process can still trust a cache that lacks it (the lease, plus one pass of margin).
   */
  async awaitInvalidation(id: string): Promise<'applied' | 'lease-expired'> {
    const deadline = performance.now() + this.#opts.leaseMs + this.#opts.syncIntervalMs;
    while (performance.now() < deadline) {
      void this.sync();
      try {
        const { rows } = await this.#opts.pool.query<{ pending: boolean }>(
          sql('cache-invalidation-pending'),
          [id],
        );
        if (!rows[0]?.pending) return 'applied';
      } catch {
        // Postgres hiccup: the deadline alone decides.
      }
      await new Promise((r) => setTimeout(r, AWAIT_POLL_MS));
    }
    return 'lease-expired';
  }

  /** Forgets an applied invalidation row (best effort: a leftover row only causes a harmless purge). */
  async forget(id: string): Promise<void> {
    await this.#opts.pool.query(sql('cache-invalidations-delete'), [[id]]).catch(() => {});
  }

  /** One sync pass (or joins the one running): probe Redis, purge every pending row, renew trust. */
  sync(): Promise<boolean> {
    this.#pass ??= this.#runPass().finally(() => {
      this.#pass = null;
    });
    return this.#pass;
  }

  /** Connects and starts the periodic sync passes. */
  start(): void {
    this.redis.connect().catch(() => this.#opts.log.warn('cache redis unreachable at start'));
    this.#timer = setInterval(() => void this.sync(), this.#opts.syncIntervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#pass?.catch(() => {});
    links.delete(this);
    this.redis.disconnect();
  }

  async #runPass(): Promise<boolean> {
    const epoch = this.#epoch;
    const startedAt = performance.now();
    const pending = () =>
      this.#opts.pool.query<{ id: string; user_id: string; caches: CacheName[] }>(
        sql('cache-invalidations-pending'),
        [SYNC_BATCH],
      );
    let applied = 0;
    try {
      let rows = (await pending()).rows;
      pendingGauge.set(rows.length);
      if (this.redis.status !== 'ready') return false;
      if (!(await this.#redis(() => this.redis.ping()))) return false;
      if (this.#epoch === epoch) this.#pingEpoch = epoch;
      while (rows.length > 0) {
        const keys = rows.flatMap((r) =>
          r.caches.flatMap((c) => [this.key(c, r.user_id), this.lockKey(this.key(c, r.user_id))]),
        );
        if (!(await this.#redis(() => this.redis.del(...keys)))) return false;
        await this.#opts.pool.query(sql('cache-invalidations-delete'), [rows.map((r) => r.id)]);
        cacheInvalidationsApplied.inc(rows.length);
        applied += rows.length;
        rows = rows.length < SYNC_BATCH ? [] : (await pending()).rows;
      }
    } catch {
      return false; // Postgres: without the outbox the cache cannot be vouched for; the lease runs out
    }
    if (this.#epoch !== epoch) return false;
    if (this.#trust?.epoch !== epoch) this.#opts.log.info({ applied }, 'cache trusted: no purge pending');
    this.#trust = { epoch, since: startedAt };
    return true;
  }

  /** Runs one command to the cache Redis; a failure is recorded (and distrusts the cache). */
  async #redis(command: () => Promise<unknown>): Promise<boolean> {
    try {
      await command();
      return true;
    } catch (err) {
      this.failed('sync', err);
      return false;
    }
  }

  #distrust(reason: string): void {
    if (this.#trust?.epoch === this.#epoch)
      this.#opts.log.warn({ reason }, 'cache distrusted: reading Postgres');
    this.#epoch++;
  }
}

const links = new Set<CacheLink>();

const pendingGauge = new Gauge({
  name: 'cache_invalidations_pending',
  help: 'Rows of the invalidation outbox found by the last sync pass (purges waiting for the cache Redis).',
  registers: [registry],
});

new Gauge({
  name: 'cache_trusted',
  help: '1 while this process serves from the cache Redis, 0 while it reads Postgres (untrusted).',
  registers: [registry],
  collect() {
    this.set([...links].some((l) => l.trusted()) ? 1 : 0);
  },
});
