// The profile cache against the real cache Redis and Postgres: TTLs, read-through, the stampede guard,
// write-through and purge. (Redis cut, killed or unreachable: cache-outage.test.ts.)
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CacheWorld, cacheWorld, TTL_MS } from './cache-world.ts';

let w: CacheWorld;
beforeAll(async () => {
  w = await cacheWorld();
});
afterEach(() => w.stopAll());
afterAll(() => w.close());

describe('TTLs', () => {
  it('stores a profile for 10 minutes plus up to 10 % jitter', async () => {
    const p = w.proc();
    await w.trusted(p);
    const ttls: number[] = [];
    for (let i = 0; i < 20; i++) {
      const id = await w.newUser();
      await p.cache.get(id);
      ttls.push(await w.direct.pttl(w.entryKey(id)));
    }
    for (const ttl of ttls) {
      expect(ttl).toBeGreaterThan(TTL_MS - 5_000);
      expect(ttl).toBeLessThanOrEqual(TTL_MS * 1.1);
    }
    // Entries filled within a second of each other do not expire within a second of each other.
    expect(Math.max(...ttls) - Math.min(...ttls)).toBeGreaterThan(1_000);
  });
});

describe('read-through', () => {
  it('loads a miss once and serves hits from Redis', async () => {
    const p = w.proc();
    await w.trusted(p);
    const id = await w.newUser();
    const first = await p.cache.get(id);
    const again = await p.cache.get(id);
    expect(again).toEqual(first);
    expect(p.loads()).toBe(1);
    expect(JSON.parse((await w.direct.get(w.entryKey(id))) as string)).toMatchObject({
      userId: id,
      version: 1,
    });
  });

  it('caches nothing for an unknown user', async () => {
    const p = w.proc();
    await w.trusted(p);
    const id = randomUUID();
    expect(await p.cache.get(id)).toBeNull();
    expect(await w.direct.exists(w.entryKey(id), `${w.entryKey(id)}:lock`)).toBe(0);
  });
});

describe('stampede protection', () => {
  it('claims atomically: the entry if it is there, else the lock if it is free, else wait', async () => {
    const { LuaScript } = await import('../cache/lua-script.ts');
    const claim = new LuaScript(new URL('../cache/lua/cache-claim-2.lua', import.meta.url));
    const key = w.entryKey(randomUUID());
    const run = (token: string) => claim.run(w.direct, [key, `${key}:lock`], [token, 2_000]);
    expect(await run('a')).toEqual(['locked']);
    expect(await run('b')).toEqual(['wait']);
    await w.direct.set(key, '{"version":1}');
    expect(await run('c')).toEqual(['hit', '{"version":1}']);
  });

  it('one load for 300 concurrent misses in one process', async () => {
    const p = w.proc();
    await w.trusted(p);
    const id = await w.newUser();
    const values = await Promise.all(Array.from({ length: 300 }, () => p.cache.get(id)));
    expect(p.loads()).toBe(1);
    expect(new Set(values.map((v) => v?.version))).toEqual(new Set([1]));
  });

  it('one load for 400 concurrent misses across four processes; the waiters never touch Postgres', async () => {
    const slow = () => new Promise<void>((r) => setTimeout(r, 100));
    const procs = Array.from({ length: 4 }, () => w.proc(undefined, { afterRead: slow }));
    for (const p of procs) await w.trusted(p);
    const id = await w.newUser();
    const values = await Promise.all(
      Array.from({ length: 400 }, (_, i) => (procs[i % 4] as (typeof procs)[number]).cache.get(id)),
    );
    expect(procs.reduce((n, p) => n + p.loads(), 0)).toBe(1);
    expect(values.every((v) => v?.userId === id)).toBe(true);
  });

  it('without single-flight (the sabotage) the same burst loads many times', async () => {
    const slow = () => new Promise<void>((r) => setTimeout(r, 50));
    const p = w.proc(undefined, { sabotage: 'no-single-flight', afterRead: slow });
    await w.trusted(p);
    const id = await w.newUser();
    await Promise.all(Array.from({ length: 50 }, () => p.cache.get(id)));
    expect(p.loads()).toBeGreaterThan(10);
  });

  it('a load that read before an update cannot write its older value after the update', async () => {
    let release!: () => void;
    let readDone!: () => void;
    const hasRead = new Promise<void>((r) => {
      readDone = r;
    });
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const reader = w.proc(undefined, {
      afterRead: async () => {
        readDone();
        await gate;
      },
    });
    const writer = w.proc();
    await w.trusted(reader);
    await w.trusted(writer);
    const id = await w.newUser();
    const concurrent = reader.cache.get(id); // miss: takes the lock, reads version 1, then stalls
    await hasRead;
    await writer.profiles.update(id, { bio: 'v2' }); // purges entry and lock, writes version 2 through
    release();
    expect((await concurrent)?.version).toBe(1); // concurrent with the update: either answer is fine
    // Version 2 written through, or nothing (had the writer's trust lapsed): never version 1.
    const entry = await w.direct.get(w.entryKey(id));
    expect(entry === null ? 2 : JSON.parse(entry).version).toBe(2);
    expect((await reader.cache.get(id))?.version).toBe(2);
  });
});

describe('write-through and purge', () => {
  it('writes a non-sensitive update through: the next read is a hit with the new version', async () => {
    const p = w.proc();
    await w.trusted(p);
    const id = await w.newUser();
    await p.cache.get(id);
    const loadsBefore = p.loads();
    const updated = await p.profiles.update(id, { displayName: 'New Name' });
    expect(updated).toMatchObject({ displayName: 'New Name', version: 2 });
    expect(JSON.parse((await w.direct.get(w.entryKey(id))) as string)).toMatchObject({ version: 2 });
    const loadsAfterUpdate = p.loads();
    expect((await p.cache.get(id))?.displayName).toBe('New Name');
    expect(p.loads()).toBe(loadsAfterUpdate);
    expect(loadsAfterUpdate - loadsBefore).toBe(1); // the write-through's re-read after commit
    expect(await w.pendingInvalidations(id)).toBe(0);
  });

  it('purges on a sensitive update (profile and dashboard) and writes nothing through', async () => {
    const p = w.proc();
    await w.trusted(p);
    const id = await w.newUser();
    await p.cache.get(id);
    const dashboardKey = `${w.t.config.CACHE_PREFIX}:cache:dashboard:${id}`;
    await w.direct.set(dashboardKey, '{}', 'PX', 60_000);
    await p.profiles.update(id, { email: 'someone@example.com' });
    expect(await w.direct.exists(w.entryKey(id), dashboardKey)).toBe(0);
    expect((await p.profiles.get(id)).email).toBe('someone@example.com');
    expect(await w.direct.get(w.entryKey(id))).not.toContain('someone');
    expect(await w.pendingInvalidations(id)).toBe(0);
  });
});
