import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { findPostgresBinaries, MissingBinaryError } from '../binaries.ts';
import { reapStale } from '../cleanup.ts';
import { serviceEnvFrom, startStack } from '../index.ts';
import { type PostgresHandle, startPostgres } from '../postgres.ts';
import { familyOf, groupMembers, isAlive, startTimeOf, stateOf } from '../proc.ts';
import { ProcessStartError } from '../process.ts';
import { type RedisHandle, redisPing, startRedis } from '../redis.ts';
import { startService } from '../service.ts';

// Each test file gets a directory of its own; the global stack's processes are never killed here.
const dir = mkdtempSync(join(tmpdir(), 'faultline-stack-test-'));
// mkdtemp makes it 0700; PostgreSQL's unprivileged account must be able to pass through it.
chmodSync(dir, 0o711);
let failed = false;

beforeEach(({ onTestFailed }) => {
  onTestFailed(() => {
    failed = true;
  });
});
afterAll(() => {
  if (failed) process.stderr.write(`stack.test.ts failed: keeping ${dir}\n`);
  if (!failed) rmSync(dir, { recursive: true, force: true });
});

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function configGet(redis: RedisHandle, key: string): Promise<string | undefined> {
  const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  try {
    const [, value] = (await client.config('GET', key)) as string[];
    return value;
  } finally {
    client.disconnect();
  }
}

function listen(port = 0): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port }, () => resolve(server));
  });
}

describe('postgres', () => {
  let postgres: PostgresHandle;

  beforeAll(async () => {
    postgres = await startPostgres({ dir: join(dir, 'pg-stack') });
  });
  afterAll(async () => {
    await postgres?.stop();
  });

  it('keeps committed rows through SIGKILL and restart (WAL recovery)', async () => {
    await query(postgres.url, 'CREATE TABLE ledger (id int PRIMARY KEY, amount bigint NOT NULL)');
    await query(postgres.url, 'INSERT INTO ledger SELECT g, g * 100 FROM generate_series(1, 1000) g');
    const pid = postgres.pid;
    const client = new pg.Client({ connectionString: postgres.url });
    client.on('error', () => undefined);
    await client.connect();
    const backend = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]
      ?.pid as number;

    postgres.kill('SIGKILL');
    expect(await postgres.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(postgres.running).toBe(false);
    await expect.poll(() => isAlive(backend)).toBe(false);
    await client.end().catch(() => undefined);

    await postgres.restart();
    expect(postgres.pid).not.toBe(pid);
    const [row] = await query<{ n: string; total: string }>(
      postgres.url,
      'SELECT count(*) AS n, sum(amount) AS total FROM ledger',
    );
    expect(row).toEqual({ n: '1000', total: String(100 * ((1000 * 1001) / 2)) });
    expect(readFileSync(postgres.logFile, 'utf8')).toMatch(/not properly shut down; automatic recovery/);
  });

  it('creates extra databases and exposes a usable url', async () => {
    const url = await postgres.createDatabase('suite_a');
    expect(url).toBe(postgres.url.replace(/\/faultline$/, '/suite_a'));
    const [row] = await query<{ db: string }>(url, 'SELECT current_database() AS db');
    expect(row?.db).toBe('suite_a');
    expect(postgres.url).toMatch(/^postgres:\/\/faultline:[\w-]{20,}@127\.0\.0\.1:\d+\/faultline$/);
  });

  it('stop() leaves no process of the group alive, backends included', async () => {
    const clients = await Promise.all(
      [1, 2, 3].map(async () => {
        const client = new pg.Client({ connectionString: postgres.url });
        client.on('error', () => undefined);
        await client.connect();
        return client;
      }),
    );
    const backends = await Promise.all(
      clients.map(
        async (c) => (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid,
      ),
    );
    const pgid = postgres.pid;
    // Postgres puts each backend in a process group of its own (setsid), so the family is wider.
    expect(familyOf(pgid)).toEqual(expect.arrayContaining(backends));

    await postgres.stop({ timeoutMs: 5_000 });
    expect(groupMembers(pgid)).toEqual([]);
    expect(familyOf(pgid)).toEqual([]);
    for (const pid of backends) expect(isAlive(pid as number)).toBe(false);
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  });
});

describe('redis', () => {
  let queue: RedisHandle;
  let cache: RedisHandle;

  beforeAll(async () => {
    [queue, cache] = await Promise.all([
      startRedis({ role: 'queue', dir: join(dir, 'redis') }),
      startRedis({ role: 'cache', dir: join(dir, 'redis') }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([queue?.stop(), cache?.stop()]);
  });

  it('configures the queue for BullMQ (noeviction, AOF) and the cache as a disposable LRU', async () => {
    expect(queue.url).toBe(`redis://127.0.0.1:${queue.port}`);
    expect(await configGet(queue, 'maxmemory-policy')).toBe('noeviction');
    expect(await configGet(queue, 'appendonly')).toBe('yes');
    expect(await configGet(queue, 'appendfsync')).toBe('everysec');
    expect(await configGet(cache, 'maxmemory-policy')).toBe('allkeys-lru');
    expect(await configGet(cache, 'appendonly')).toBe('no');
    expect(await configGet(cache, 'save')).toBe('');
  });

  it('freezes on SIGSTOP and answers again after SIGCONT', async () => {
    cache.kill('SIGSTOP');
    // Signal delivery is asynchronous: give the kernel a moment under load.
    for (let i = 0; i < 50 && stateOf(cache.pid) !== 'T'; i++) await new Promise((r) => setTimeout(r, 20));
    expect(stateOf(cache.pid)).toBe('T');
    expect(await redisPing(cache.port, '127.0.0.1', 300)).toBe(false);
    expect(cache.running).toBe(true);
    cache.kill('SIGCONT');
    expect(await redisPing(cache.port)).toBe(true);
  });

  it('names the process, its exit code and the log tail when the port is taken', async () => {
    const blocker = await listen();
    const port = (blocker.address() as { port: number }).port;
    try {
      const error = await startRedis({
        role: 'cache',
        name: 'redis-taken',
        dir: join(dir, 'redis'),
        port,
      }).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(ProcessStartError);
      expect((error as Error).message).toMatch(/^redis-taken exited with code 1 before it was ready/);
      expect((error as Error).message).toMatch(/Address already in use/);
    } finally {
      blocker.close();
    }
  });
});

describe('missing binaries', () => {
  it('says which binary is missing and how to install it', async () => {
    const redis = await startRedis({ role: 'cache', dir, bin: '/nonexistent/redis-server' }).catch(
      (e: unknown) => e,
    );
    expect(redis).toBeInstanceOf(MissingBinaryError);
    expect((redis as Error).message).toMatch(/redis-server not found.*apt-get install redis-server/);
    expect(() => findPostgresBinaries('/nonexistent/bin')).toThrow(
      /initdb, postgres.*apt-get install postgresql/,
    );
  });
});

describe('services', () => {
  it('starts a role, survives its SIGKILL with restart() on the same port, and stops it', async () => {
    const stack = inject('stack');
    const bank = await startService({
      role: 'bank',
      name: 'bank-under-test',
      dir: join(dir, 'services'),
      env: serviceEnvFrom(stack),
    });
    try {
      const port = bank.port;
      expect((await fetch(`${bank.url}/healthz`)).status).toBe(200);
      bank.kill('SIGKILL');
      expect((await bank.exited).signal).toBe('SIGKILL');
      await bank.restart();
      expect(bank.port).toBe(port);
      expect((await fetch(`${bank.url}/healthz`, { headers: { connection: 'close' } })).status).toBe(200);
    } finally {
      await bank.stop();
    }
    expect(groupMembers(bank.pid)).toEqual([]);
  });

  it('reports a role that dies at start-up with its log', async () => {
    const error = await startService({
      role: 'bank',
      name: 'bank-misconfigured',
      dir: join(dir, 'services'),
      env: { LOG_LEVEL: 'shouting' },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessStartError);
    expect((error as Error).message).toMatch(/^bank-misconfigured exited with code 1 before it was ready/);
    expect((error as Error).message).toMatch(/LOG_LEVEL/);
  });
});

describe('stack', () => {
  it('stops what had started when start-up fails half-way', async () => {
    const lines: string[] = [];
    const stackDir = join(dir, 'half-way');
    const error = await startStack({
      dir: stackDir,
      roles: ['bank'],
      env: { LOG_LEVEL: 'shouting' },
      log: (line) => lines.push(line),
    }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^bank exited with code 1/);
    const ports = lines.flatMap(
      (l) => /^(?:postgres|redis-\w+) ready on 127\.0\.0\.1:(\d+)/.exec(l)?.[1] ?? [],
    );
    expect(ports).toHaveLength(3);
    for (const port of ports) expect(await redisPing(Number(port), '127.0.0.1', 300)).toBe(false);
    expect(() => readFileSync(join(stackDir, 'pids.json'))).toThrow(/ENOENT/);
  });

  it('kills the processes of a ledger whose runner is dead, and spares a living runner', async () => {
    const root = join(dir, 'ledgers');
    const stale = join(root, 'stack-old');
    mkdirSync(stale, { recursive: true });
    const orphan = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    const orphanPid = orphan.pid as number;
    const ledger = (runner: { pid: number; startTime?: string }) => ({
      runner: { name: 'runner', ...runner },
      processes: [{ name: 'sleeper', pid: orphanPid, startTime: startTimeOf(orphanPid) }],
    });

    writeFileSync(join(stale, 'pids-1.json'), JSON.stringify(ledger({ pid: 1, startTime: startTimeOf(1) })));
    expect(reapStale([root])).toEqual([]);
    rmSync(join(stale, 'pids-1.json'));

    // A runner pid that is recycled (same pid, other start time) counts as dead.
    writeFileSync(join(stale, 'pids.json'), JSON.stringify(ledger({ pid: 1, startTime: '0' })));
    expect(reapStale([root])).toEqual([`sleeper (${orphanPid}) from ${stale}`]);
    const signal = await new Promise((resolve) => orphan.once('exit', (_code, sig) => resolve(sig)));
    expect(signal).toBe('SIGKILL');
    expect(() => readFileSync(join(stale, 'pids.json'))).toThrow(/ENOENT/);
  });
});
