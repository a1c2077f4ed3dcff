// The profile cache when the cache Redis is cut, killed or unreachable: reads answer from Postgres,
// updates are accepted, and no profile updated meanwhile is ever served stale afterwards.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { startRedis } from '../../stack/index.ts';
import { type CacheWorld, cacheWorld, LEASE_MS } from './cache-world.ts';
import { eventually } from './harness.ts';

let w: CacheWorld;
beforeAll(async () => {
  w = await cacheWorld();
});
afterEach(() => w.stopAll());
afterAll(() => w.close());

describe('when the cache Redis is unreachable', () => {
  it('reads from Postgres every time (bypass) and still accepts updates', async () => {
    const p = w.proc('redis://127.0.0.1:1');
    const id = await w.newUser();
    expect(p.link.trusted()).toBe(false);
    expect((await p.cache.get(id))?.version).toBe(1);
    expect((await p.cache.get(id))?.version).toBe(1);
    expect(p.loads()).toBe(2);
    const started = performance.now();
    const updated = await p.profiles.update(id, { bio: 'while down' });
    // It waited for the lease to run out everywhere (nobody could apply the purge), then answered.
    expect(performance.now() - started).toBeGreaterThanOrEqual(LEASE_MS);
    expect(updated.version).toBe(2);
    expect((await p.cache.get(id))?.bio).toBe('while down');
    expect(await w.pendingInvalidations(id)).toBe(1);
  });

  it('never serves a profile updated during a cut once the link heals', async () => {
    const link = await w.cuttableLink(inject('stack').redisCache.port);
    const a = w.proc(link.url);
    const b = w.proc(link.url);
    await w.trusted(a);
    await w.trusted(b);
    const id = await w.newUser();
    await a.profiles.update(id, { bio: 'before' });
    expect((await b.cache.get(id))?.bio).toBe('before'); // cached as version 2

    await link.cut();
    const during = await a.profiles.update(id, { bio: 'during' });
    expect(during.version).toBe(3);
    expect((await b.cache.get(id))?.bio).toBe('during'); // from Postgres
    expect(await w.pendingInvalidations(id)).toBe(1);
    expect(JSON.parse((await w.direct.get(w.entryKey(id))) as string).bio).toBe('before'); // Redis is stale

    await link.heal();
    const seen = new Set<string | null>();
    const deadline = Date.now() + 3_000;
    while (Date.now() < deadline && !(a.link.trusted() && b.link.trusted())) {
      seen.add((await a.cache.get(id))?.bio ?? null);
      seen.add((await b.cache.get(id))?.bio ?? null);
    }
    for (let i = 0; i < 20; i++) seen.add((await b.cache.get(id))?.bio ?? null);
    expect(b.link.trusted()).toBe(true);
    expect(seen).toEqual(new Set(['during']));
    expect(await w.pendingInvalidations(id)).toBe(0);
  });

  it('covers the process that reconnects first: a writer still cut off waits for it to purge', async () => {
    const port = inject('stack').redisCache.port;
    const [linkA, linkB] = [await w.cuttableLink(port), await w.cuttableLink(port)];
    const a = w.proc(linkA.url);
    const b = w.proc(linkB.url);
    await w.trusted(a);
    await w.trusted(b);
    const id = await w.newUser();
    expect((await a.cache.get(id))?.version).toBe(1); // cached
    await linkB.cut();
    // B cannot purge; A is connected and trusted. B answers only after A's sync pass purged the entry.
    const updated = await b.profiles.update(id, { bio: 'from B' });
    expect((await a.cache.get(id))?.bio).toBe('from B');
    expect(updated.version).toBe(2);
    await linkB.heal();
  });

  it('serves the stale entry after the heal when failed purges are forgotten (the sabotage)', async () => {
    const link = await w.cuttableLink(inject('stack').redisCache.port);
    const p = w.proc(link.url, { sabotage: 'no-purge-while-down' });
    await w.trusted(p);
    const id = await w.newUser();
    await p.profiles.update(id, { bio: 'before' });
    // A sync pass that read the update's invalidation row before it was forgotten purges the entry
    // written through, whenever its DEL lands: let it end, then have the entry cached.
    await p.link.sync();
    await p.cache.get(id);
    expect(await w.direct.get(w.entryKey(id))).not.toBeNull();
    await link.cut();
    await p.profiles.update(id, { bio: 'during' });
    await link.heal();
    await w.trusted(p);
    expect((await p.cache.get(id))?.bio).toBe('before');
  });

  it('falls back while its Redis is killed and trusts the restarted (empty) one again', async () => {
    const redis = await startRedis({
      role: 'cache',
      dir: w.t.dir,
      name: `redis-${randomUUID().slice(0, 8)}`,
    });
    w.track({ stop: () => redis.stop() });
    const p = w.proc(redis.url);
    await w.trusted(p);
    const id = await w.newUser();
    await p.cache.get(id);
    redis.kill('SIGKILL');
    await redis.exited;
    await eventually(async () => !p.link.trusted(), { everyMs: 10 });
    await p.profiles.update(id, { bio: 'while killed' });
    expect((await p.cache.get(id))?.bio).toBe('while killed');
    await redis.restart();
    await w.trusted(p);
    expect((await p.cache.get(id))?.bio).toBe('while killed');
    expect((await p.cache.get(id))?.bio).toBe('while killed');
    expect(await w.pendingInvalidations(id)).toBe(0);
  });
});
