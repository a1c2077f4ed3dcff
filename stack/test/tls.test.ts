// A --tls stack: every link is encrypted and authenticated, and nothing answers in the clear.
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BankControl } from '../../fakes/bank/client.ts';
import { listen } from '../../lib/http-serve.ts';
import { BankClient } from '../../service/bank/client.ts';
import { onPath } from '../binaries.ts';
import { redisClientOptions, type Stack, type StackInfo, startStack } from '../index.ts';
import { redisPing } from '../redis.ts';
import { makeStackTls } from '../tls.ts';

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
  // ioredis 6 authenticates in its handshake (HELLO 3): when Redis refuses that, connect() fails with
  // "Connection is closed" and only the 'error' event carries Redis's answer.
  let refusal: string | undefined;
  client.on('error', (err) => {
    refusal ??= err.message;
  });
  try {
    await client.connect();
    return String(await client.call(command[0] as string, ...command.slice(1)));
  } catch (err) {
    return `refused: ${refusal ?? (err as Error).message}`;
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

  it('the bank: HTTPS only, trusted through the CA, and signed requests only', async () => {
    const bank = info.bank?.url as string;
    expect(bank).toMatch(/^https:\/\//);
    const ca = readFileSync(info.tls?.caFile as string);
    const key = readFileSync(info.secrets.bankSigningKeyFile as string, 'utf8').trim();
    const client = new BankControl({ baseUrl: bank, timeoutMs: 5_000, signingKey: key, ca });
    expect(await client.stats()).toBeTruthy();
    const unsigned = new BankControl({ baseUrl: bank, timeoutMs: 5_000, ca });
    await expect(unsigned.stats()).rejects.toMatchObject({ name: 'BankRejected', status: 401 });
    // In the clear, nothing is answered: amounts and destinations never travel readable.
    const clear = new BankControl({
      baseUrl: bank.replace('https:', 'http:'),
      timeoutMs: 5_000,
      signingKey: key,
    });
    await expect(clear.stats()).rejects.toMatchObject({ name: 'BankUnavailable' });
    for (const c of [client, unsigned, clear]) c.close();
  });

  it("the bank's answers cannot be forged: a client refuses a server the stack's CA did not certify", async () => {
    // An impostor on the bank's path answering every charge "declined" (which would make the worker
    // refund a payout the bank paid), with a certificate of its own making.
    const impostorTls = makeStackTls(join(dir, 'impostor'));
    const impostor = await listen(
      new Hono().post('/v1/charges', (c) =>
        c.json({ code: 'declined', message: 'forged', charge: { key: 'k', status: 'declined' } }, 402),
      ),
      {
        host: '127.0.0.1',
        port: 0,
        tls: { cert: readFileSync(impostorTls.certFile), key: readFileSync(impostorTls.keyFile) },
      },
    );
    try {
      const key = readFileSync(info.secrets.bankSigningKeyFile as string, 'utf8').trim();
      // The service's own client, as the worker charges through it.
      const client = new BankClient({
        baseUrl: `https://127.0.0.1:${impostor.port}`,
        timeoutMs: 5_000,
        signingKey: key,
        ca: readFileSync(info.tls?.caFile as string),
      });
      const outcome = await client
        .charge({ key: 'forged-1', amount: 100, currency: 'USD', reference: 'r-1' })
        .catch((err: unknown) => err);
      // Unknown, never declined: the worker then asks the real bank, by key, what happened.
      expect(outcome).toMatchObject({ name: 'BankUnavailable', reason: 'unreachable' });
      client.close();
    } finally {
      await impostor.close();
    }
  });
});
