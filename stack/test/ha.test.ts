import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { redisClientOptions, type Stack, serviceEnvFrom, startStack } from '../index.ts';
import { isAlive } from '../proc.ts';

// The `ha` topology on a stack of its own: Patroni, etcd, HAProxy and Sentinel are real processes.
const dir = mkdtempSync(join(tmpdir(), 'faultline-ha-test-'));
chmodSync(dir, 0o711);
let failed = false;
let stack: Stack;

beforeEach(({ onTestFailed }) => {
  onTestFailed(() => {
    failed = true;
  });
});
beforeAll(async () => {
  stack = await startStack({ dir: join(dir, 'stack'), topology: 'ha', roles: [] });
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  if (failed) process.stderr.write(`ha.test.ts failed: keeping ${dir}\n`);
  else rmSync(dir, { recursive: true, force: true });
}, 60_000);

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

/** The same database on one member, dialled directly instead of through HAProxy. */
function memberUrl(port: number): string {
  const url = new URL(stack.postgres.url);
  url.port = String(port);
  return url.toString();
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await sleep(200);
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
}

describe('the ha topology', () => {
  it('runs a primary, a synchronous and an asynchronous standby, and Sentinel-watched Redis with replicas', async () => {
    const info = stack.info();
    expect(info.topology).toBe('ha');
    const ha = stack.ha;
    expect(ha).not.toBeNull();
    const roles = await ha?.roles();
    expect(Object.values(roles?.postgres ?? {}).sort()).toEqual(['primary', 'standby', 'sync-standby']);
    expect(roles?.redis).toEqual({ queue: { master: 'redis-queue' }, cache: { master: 'redis-cache' } });
    expect(info.ha?.postgres.settings.synchronousMode).toBe(true);
    expect(info.ha?.redis.sentinels).toHaveLength(3);
    // Patroni detaches each postmaster from its agent: the stack lists them in its pid ledger itself,
    // so a runner killed with SIGKILL still has them reaped by the next stack.
    const ledger = JSON.parse(readFileSync(join(info.dir, 'pids.json'), 'utf8')) as {
      processes: Array<{ name: string; pid: number }>;
    };
    const postmasters = info.ha?.postgres.members.map((m) => m.postmasterPid) ?? [];
    expect(postmasters.every((pid) => typeof pid === 'number' && pid > 0)).toBe(true);
    for (const pid of postmasters) expect(ledger.processes.map((p) => p.pid)).toContain(pid);
    const env = serviceEnvFrom(info);
    expect(env.DATABASE_URL).toContain(`:${info.ha?.postgres.haproxy.port}/`);
    expect(env.REDIS_QUEUE_SENTINELS?.split(',')).toHaveLength(3);
    expect(env.REDIS_CACHE_SENTINEL_MASTER).toBe('faultline-cache');
  });

  it('reaches the current Redis master through the Sentinels', async () => {
    const client = new Redis(stack.redisQueue.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      ...redisClientOptions(stack.info(), 'queue'),
    });
    client.on('error', () => {});
    await client.connect();
    try {
      await client.set('ha-test', 'written through sentinel');
      expect(await client.call('ROLE').then((r) => (r as string[])[0])).toBe('master');
    } finally {
      client.disconnect();
    }
  });

  it('commits through HAProxy only once the synchronous standby has the commit', async () => {
    await query(stack.postgres.url, 'CREATE TABLE IF NOT EXISTS ha_probe (id int PRIMARY KEY)');
    await query(stack.postgres.url, 'INSERT INTO ha_probe VALUES (1)');
    const roles = await stack.ha?.roles();
    const sync = stack.ha?.postgres.cluster.members.find((m) => roles?.postgres[m.name] === 'sync-standby');
    expect(sync).toBeDefined();
    // remote_apply is not asked for, so read on the standby may lag; the commit's WAL is flushed there.
    const flushed = await until('the standby replays the row', 10_000, async () => {
      const rows = await query<{ n: number }>(
        memberUrl(sync?.pgPort as number),
        'SELECT count(*)::int AS n FROM ha_probe',
      );
      return rows[0]?.n === 1 ? true : undefined;
    });
    expect(flushed).toBe(true);
  });

  it('fails over to the synchronous standby when the primary crashes, and the old primary rejoins as a standby', async () => {
    const ha = stack.ha;
    if (!ha) throw new Error('no ha parts');
    const before = await ha.roles();
    const members = ha.postgres.cluster.members;
    const primary = members.find((m) => before.postgres[m.name] === 'primary');
    const sync = members.find((m) => before.postgres[m.name] === 'sync-standby');
    if (!primary || !sync) throw new Error(`unexpected roles ${JSON.stringify(before.postgres)}`);
    await query(stack.postgres.url, 'INSERT INTO ha_probe VALUES (2)');
    const postmaster = primary.postmasterPid();
    expect(postmaster).toBeGreaterThan(0);
    await primary.crash();
    expect(isAlive(postmaster as number)).toBe(false);
    // Patroni promotes only the synchronous standby in synchronous mode.
    const promoted = await until(
      'a new primary',
      60_000,
      async () => (await ha.postgres.cluster.leader()) ?? undefined,
    );
    expect(promoted.name).toBe(sync.name);
    const rows = await until('a write through HAProxy', 30_000, async () =>
      query<{ id: number }>(stack.postgres.url, 'INSERT INTO ha_probe VALUES (3) RETURNING id'),
    );
    expect(rows).toEqual([{ id: 3 }]);
    const ids = await query<{ id: number }>(stack.postgres.url, 'SELECT id FROM ha_probe ORDER BY id');
    expect(ids.map((r) => r.id)).toEqual([1, 2, 3]);
    await primary.start();
    const rejoined = await until('the old primary streaming as a standby', 60_000, async () => {
      const roles = await ha.roles();
      return roles.postgres[primary.name] === 'standby' || roles.postgres[primary.name] === 'sync-standby'
        ? roles.postgres[primary.name]
        : undefined;
    });
    expect(['standby', 'sync-standby']).toContain(rejoined);
  }, 180_000);

  it('refuses tls and proxies with a clear error', async () => {
    await expect(startStack({ dir: join(dir, 'refused'), topology: 'ha', tls: true })).rejects.toThrow(
      /topology ha runs without tls/,
    );
  });

  it('leaves no process behind when stopped', async () => {
    const info = stack.info();
    const pids = [
      info.ha?.postgres.haproxy.pid,
      info.ha?.postgres.etcd.pid,
      info.ha?.postgres.links.pid,
      ...(info.ha?.postgres.members.flatMap((m) => [m.pid, m.postmasterPid]) ?? []),
      ...(info.ha?.redis.sentinels.map((s) => s.pid) ?? []),
      ...(info.ha?.redis.queue.servers.map((s) => s.pid) ?? []),
    ].filter((p): p is number => typeof p === 'number' && p > 0);
    expect(pids.length).toBeGreaterThanOrEqual(12);
    await stack.stop();
    expect(pids.filter(isAlive)).toEqual([]);
  }, 90_000);
});
