import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { inject } from 'vitest';
import { type Role, type ServiceHandle, serviceEnvFrom, startService } from '../../stack/index.ts';
import { createAccount, createUser } from '../accounts/accounts-repo.ts';
import { createApp } from '../api/app.ts';
import { AuthCache } from '../api/auth.ts';
import { createReadServices } from '../api/read-services.ts';
import { type Config, loadConfig } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { FRAUD_RULES_WIDE_OPEN } from '../fraud/rules.ts';
import { createFraudScreen } from '../fraud/screen.ts';
import { createLogger } from '../log.ts';
import { moneyDeps } from '../money/money-deps.ts';
import { deposit } from '../money/operations.ts';

/**
 * Test harness: each test file gets its own database (migrated), its own BullMQ prefix and its own
 * cache-Redis prefix on the shared real Postgres and Redis of the global stack, so files never see each
 * other's rows, jobs or cache entries.
 */
export interface TestEnv {
  config: Config;
  env: Record<string, string>;
  pool: pg.Pool;
  dir: string;
  close(): Promise<void>;
}

export async function testEnv(overrides: Record<string, string> = {}): Promise<TestEnv> {
  const stack = inject('stack');
  const name = `t_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: stack.postgres.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(stack.postgres.url);
  url.pathname = `/${name}`;
  const env = serviceEnvFrom(stack, {
    DATABASE_URL: url.toString(),
    QUEUE_PREFIX: name,
    CACHE_PREFIX: name,
    LOG_LEVEL: 'warn',
    ...FRAUD_RULES_WIDE_OPEN,
    ...overrides,
  });
  const config = loadConfig(env);
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 30 });
  await migrate(pool);
  const dir = mkdtempSync(join(tmpdir(), 'faultline-test-'));
  return {
    config,
    env,
    pool,
    dir,
    async close() {
      await pool.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An in-process API on the test database (real Postgres and Redis; only the HTTP hop is skipped). */
export function testApi(t: TestEnv) {
  const redisQueue = new Redis(t.config.REDIS_QUEUE_URL, { lazyConnect: true, enableOfflineQueue: false });
  const log = createLogger({ role: 'test-api', level: 'silent' });
  const reads = createReadServices(t.config, t.pool, log);
  reads.start();
  const fraud = createFraudScreen(t.config, reads.link);
  const authCache = new AuthCache({ ttlMs: t.config.AUTH_CACHE_TTL_MS, max: t.config.AUTH_CACHE_MAX });
  const app = createApp({
    pool: t.pool,
    authCache,
    redisQueue,
    reads,
    fraud,
    log,
    maxAmount: t.config.MAX_AMOUNT,
    money: moneyDeps(t.config, t.pool),
  });
  async function call(
    method: string,
    path: string,
    opts: {
      key?: string;
      body?: unknown;
      /** The body as it goes on the wire: text, or bytes (which need not be UTF-8). */
      rawBody?: string | Uint8Array;
      idem?: string;
      headers?: Record<string, string>;
    } = {},
  ) {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
    if (opts.key) headers.authorization = `Bearer ${opts.key}`;
    if (opts.idem) headers['idempotency-key'] = opts.idem;
    const body = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
    const res = await app.request(path, { method, headers, body: body as BodyInit | undefined });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
  }
  return {
    app,
    authCache,
    call,
    reads,
    async close() {
      redisQueue.disconnect();
      fraud.close();
      await reads.stop();
    },
  };
}

/** The test database's operator (created once per database): deposits, i.e. money, come only from one. */
const operators = new WeakMap<pg.Pool, Promise<{ id: string; apiKey: string }>>();
export function testOperator(t: TestEnv): Promise<{ id: string; apiKey: string }> {
  let operator = operators.get(t.pool);
  if (!operator) {
    operator = createUser(t.pool, 'test-operator', { role: 'operator' });
    operators.set(t.pool, operator);
  }
  return operator;
}

/** A user with one account holding `balance` minor units, deposited by the test operator. */
export async function fundedUser(t: TestEnv, opts: { balance: number; currency?: string; name?: string }) {
  const currency = opts.currency ?? 'USD';
  const user = await createUser(t.pool, opts.name ?? 'test');
  const account = await createAccount(t.pool, user.id, currency);
  if (opts.balance > 0) {
    const funded = await deposit(
      { pool: t.pool, lockTimeoutMs: 2_000, retries: 3 },
      {
        operatorId: (await testOperator(t)).id,
        idempotencyKey: null,
        accountId: account.id,
        amount: opts.balance,
        currency,
      },
    );
    if (funded.status !== 201) throw new Error(`funding failed: ${JSON.stringify(funded.body)}`);
  }
  return { userId: user.id, apiKey: user.apiKey, accountId: account.id, currency };
}

/** `n` committed payouts of 100 from one funded user, through the API: their transfer ids, PENDING. */
export async function pendingPayouts(
  t: TestEnv,
  api: ReturnType<typeof testApi>,
  n: number,
): Promise<string[]> {
  const u = await fundedUser(t, { balance: 100 * n });
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await api.call('POST', '/v1/payouts', {
      key: u.apiKey,
      idem: randomUUID(),
      body: { accountId: u.accountId, amount: 100, currency: 'USD', destination: 'IBAN-1' },
    });
    if (r.status !== 201) throw new Error(`payout refused: ${r.status} ${JSON.stringify(r.body)}`);
    ids.push(r.body.id);
  }
  return ids;
}

/** Starts a service role as a real process against the test env. */
export function startRole(t: TestEnv, role: Role, env: Record<string, string> = {}): Promise<ServiceHandle> {
  return startService({
    role,
    name: `${role}-${randomUUID().slice(0, 8)}`,
    dir: t.dir,
    env: { ...t.env, ...env },
  });
}

/** Polls until `check` returns a truthy value or the deadline passes. */
export async function eventually<T>(
  check: () => Promise<T>,
  opts: { timeoutMs?: number; everyMs?: number } = {},
) {
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((r) => setTimeout(r, opts.everyMs ?? 100));
  }
}

/** Sum of balances and of ledger entries for an account: they must always agree. */
export async function accountAudit(pool: pg.Pool, accountId: string) {
  const { rows } = await pool.query<{ balance: number; ledger: number }>(
    `SELECT a.balance, coalesce((SELECT sum(amount) FROM ledger_entries WHERE account_id = a.id), 0)::bigint AS ledger
       FROM accounts a WHERE a.id = $1`,
    [accountId],
  );
  return rows[0] as { balance: number; ledger: number };
}
