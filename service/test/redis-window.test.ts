// The Lua sliding window against the real cache Redis of the test stack, with its own key prefix.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { decideInRedis } from '../ratelimit/redis-window.ts';
import { decideInRedisNonAtomic } from '../sabotage/rate-window.ts';

let redis: Redis;
const prefix = `t-ratelimit-${randomUUID()}`;
const key = () => `${prefix}:${randomUUID()}`;
beforeAll(() => {
  redis = new Redis(inject('stack').redisCache.url);
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe('sliding-window-1.lua at the window edges (explicit clock)', () => {
  const rule = { limit: 3, windowMs: 1_000 };
  const at = (k: string, nowMs: number) => decideInRedis(redis, k, rule, { nowMs });

  it('admits `limit`, refuses the next, and reports remaining and retry-after', async () => {
    const k = key();
    const d = [await at(k, 10_000), await at(k, 10_100), await at(k, 10_200), await at(k, 10_300)];
    expect(d.map((x) => x.allowed)).toEqual([true, true, true, false]);
    expect(d.map((x) => x.remaining)).toEqual([2, 1, 0, 0]);
    expect(d[3]?.retryAfterMs).toBe(700);
    expect(d[0]?.resetMs).toBe(1_000);
  });

  it('counts an admission while now < its time + window, and not at that instant', async () => {
    const k = key();
    for (const t of [0, 1, 2]) expect((await at(k, 5_000 + t)).allowed).toBe(true);
    expect((await at(k, 5_999)).allowed).toBe(false); // the admission at 5000 still counts
    expect((await at(k, 6_000)).allowed).toBe(true); // ...and at exactly 6000 it has left
    expect((await at(k, 6_000.5)).allowed).toBe(false); // 5001 and 5002 still count, and 6000
  });

  it('slides: a burst at the end of one second and the start of the next gets `limit`, not 2 × limit', async () => {
    const k = key();
    const late = await Promise.all([0, 1, 2, 3, 4].map((i) => at(k, 20_900 + i)));
    const early = await Promise.all([0, 1, 2, 3, 4].map((i) => at(k, 21_100 + i)));
    expect(late.filter((d) => d.allowed)).toHaveLength(3);
    expect(early.filter((d) => d.allowed)).toHaveLength(0);
    expect(early[0]?.retryAfterMs).toBe(800);
    expect((await at(k, 21_900)).allowed).toBe(true);
  });

  it('never lets a refused request count against the window', async () => {
    const k = key();
    for (let i = 0; i < 3; i++) await at(k, 30_000);
    for (let i = 0; i < 50; i++) expect((await at(k, 30_500)).allowed).toBe(false);
    expect(await redis.zcard(k)).toBe(3);
    expect((await at(k, 31_000)).allowed).toBe(true);
  });

  it('expires the whole window key once it is idle', async () => {
    const k = key();
    await decideInRedis(redis, k, { limit: 5, windowMs: 200 });
    const ttl = await redis.pttl(k);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(200);
  });
});

describe('sliding-window-1.lua under a real concurrent burst (Redis clock)', () => {
  it('admits exactly `limit` of 200 concurrent requests, from several connections', async () => {
    const clients = Array.from({ length: 4 }, () => new Redis(inject('stack').redisCache.url));
    try {
      const k = key();
      const decisions = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          decideInRedis(clients[i % 4] as Redis, k, { limit: 10, windowMs: 60_000 }),
        ),
      );
      expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
      const refused = decisions.filter((d) => !d.allowed);
      expect(refused.every((d) => d.retryAfterMs > 0 && d.retryAfterMs <= 60_000)).toBe(true);
    } finally {
      for (const c of clients) c.disconnect();
    }
  });

  it('is what the non-atomic sabotage is not: count-then-add lets a burst through', async () => {
    const clients = Array.from({ length: 4 }, () => new Redis(inject('stack').redisCache.url));
    try {
      const k = key();
      const decisions = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          decideInRedisNonAtomic(clients[i % 4] as Redis, k, { limit: 10, windowMs: 60_000 }),
        ),
      );
      expect(decisions.filter((d) => d.allowed).length).toBeGreaterThan(10);
    } finally {
      for (const c of clients) c.disconnect();
    }
  });
});
