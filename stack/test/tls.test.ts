// A --tls stack: every link is encrypted and authenticated, and nothing answers in the clear.
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BankClient } from '../../service/bank/client.ts';
import { onPath } from '../binaries.ts';
import { redisClientOptions, type Stack, type StackInfo, startStack } from '../index.ts';
import { redisPing } from '../redis.ts';

const dir = mkdtempSync(join(tmpdir(), 'faultline-tls-test-'));
chmodSync(dir, 0o711);
let stack: Stack;
let info: StackInfo;
// scripts/bootstrap.mjs installs openssl where it can; CI must run this.
const openssl = Boolean(onPath('openssl')) || Boolean(process.env.CI);
beforeAll(async () => {
  if (!openssl) return;
  stack = await startStack({ dir: join(dir, 'stack'), roles: ['bank'], tls: true });
  info = stack.info();
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function connects(config: pg.ClientConfig): Promise<string> {
  const client = new pg.Client({ ...config, connectionTimeoutMillis: 3_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    const { rows } = await client.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
    return rows[0]?.ssl ? 'tls' : 'clear';
  } catch (err) {
    return `refused: ${(err as Error).message}`;
  } finally {
    await client.end().catch(() => {});
  }
}

async function redisAnswer(url: string, command: string[]): Promise<string> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableReadyCheck: false,
    // TLS options are the same for both servers of a --tls stack.
    ...redisClientOptions(info, 'queue'),
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return String(await client.call(command[0] as string, ...command.slice(1)));
  } catch (err) {
    return `refused: ${(err as Error).message}`;
  } finally {
    client.disconnect();
  }
}

describe.skipIf(!openssl)(openssl ? 'a --tls stack' : 'a --tls stack (skipped: install openssl)', () => {
  it('PostgreSQL: verify-full against the throwaway CA; a client without TLS is refused', async () => {
    expect(info.postgres.url).toMatch(/sslmode=verify-full&sslrootcert=/);
    expect(await connects({ connectionString: info.postgres.url })).toBe('tls');
    const plain = new URL(info.postgres.url);
    plain.search = '';
    expect(await connects({ connectionString: plain.toString() })).toMatch(/refused: .*no encryption/);
    // A certificate from anyone but our CA is not trusted (here: the system's CAs only).
    expect(await connects({ connectionString: plain.toString(), ssl: { rejectUnauthorized: true } })).toMatch(
      /refused: .*(self-signed|unable to verify|issuer)/i,
    );
  });

  it('Redis: TLS only, no default user, a service user of its own per server without admin commands', async () => {
    for (const r of [info.redisQueue, info.redisCache]) {
      expect(r.serviceUrl).toMatch(/^rediss:\/\/faultline:/);
      expect(await redisPing(r.port)).toBe(false); // plain TCP gets nothing
      expect(await redisAnswer(r.serviceUrl, ['PING'])).toBe('PONG');
      expect(await redisAnswer(r.serviceUrl, ['CONFIG', 'GET', 'maxmemory'])).toMatch(/refused: NOPERM/);
      expect(await redisAnswer(r.serviceUrl, ['FLUSHALL'])).toMatch(/refused: NOPERM/);
      const anonymous = new URL(r.serviceUrl);
      anonymous.username = '';
      anonymous.password = '';
      expect(await redisAnswer(anonymous.toString(), ['PING'])).toMatch(/refused: NOAUTH/);
      expect(await redisAnswer(r.url, ['CONFIG', 'GET', 'maxmemory'])).toMatch(/maxmemory/);
    }
    expect(new URL(info.redisQueue.serviceUrl).password).not.toBe(
      new URL(info.redisCache.serviceUrl).password,
    );
  });

  it('the bank: signed requests only', async () => {
    const bank = info.bank?.url as string;
    expect((await fetch(`${bank}/v1/stats`)).status).toBe(401);
    const key = readFileSync(info.secrets.bankSigningKeyFile as string, 'utf8').trim();
    const client = new BankClient({ baseUrl: bank, timeoutMs: 5_000, signingKey: key });
    expect(await client.stats()).toBeTruthy();
  });
});
