import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../stack/ports.ts';
import { createApp } from '../api/app.ts';
import { createReadServices } from '../api/read-services.ts';
import { createFraudScreen } from '../fraud/screen.ts';
import { createLogger } from '../log.ts';
import { fundedUser, type TestEnv, testEnv } from './harness.ts';

/** Pool exhaustion and a Postgres that cannot be reached answer a retryable 503, never a 500. */
let t: TestEnv;
const closers: Array<() => Promise<unknown> | unknown> = [];

beforeAll(async () => {
  t = await testEnv();
});
afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await t.close();
});

/** An in-process API on its own pool. */
function apiOn(pool: pg.Pool) {
  const log = createLogger({ role: 'test-api', level: 'silent' });
  const redisQueue = new Redis(t.config.REDIS_QUEUE_URL, { lazyConnect: true, enableOfflineQueue: false });
  const reads = createReadServices(t.config, pool, log);
  const fraud = createFraudScreen(t.config, reads.link);
  closers.push(
    () => redisQueue.disconnect(),
    () => pool.end(),
  );
  const app = createApp({
    pool,
    redisQueue,
    reads,
    fraud,
    log,
    maxAmount: t.config.MAX_AMOUNT,
    money: { pool, lockTimeoutMs: 2_000, retries: 3 },
  });
  return async (key: string, body: unknown) => {
    const res = await app.request('/v1/payouts', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
      },
      body: JSON.stringify(body),
    });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
  };
}

describe('database unavailable', () => {
  it('answers 503 database_unavailable with Retry-After when the pool has no free connection', async () => {
    const u = await fundedUser(t, { balance: 1_000 });
    const pool = new pg.Pool({
      connectionString: t.config.DATABASE_URL,
      max: 1,
      // Long enough for the first connection on a busy machine; the API's wait below times out after it.
      connectionTimeoutMillis: 3_000,
    });
    const call = apiOn(pool);
    const held = await pool.connect(); // the only connection, busy
    try {
      const res = await call(u.apiKey, {
        accountId: u.accountId,
        amount: 100,
        currency: 'USD',
        destination: 'X',
      });
      expect(res).toMatchObject({ status: 503, retryAfter: '1', body: { code: 'database_unavailable' } });
    } finally {
      held.release();
    }
    const again = await call(u.apiKey, {
      accountId: u.accountId,
      amount: 100,
      currency: 'USD',
      destination: 'X',
    });
    expect(again.status).toBe(201);
  });

  it('answers 503 database_unavailable with Retry-After when Postgres refuses connections', async () => {
    const url = new URL(t.config.DATABASE_URL);
    url.port = String(await freePort()); // nothing listens there
    const pool = new pg.Pool({ connectionString: url.toString(), max: 2, connectionTimeoutMillis: 1_000 });
    pool.on('error', () => {});
    const call = apiOn(pool);
    const res = await call('any-key', {
      accountId: randomUUID(),
      amount: 100,
      currency: 'USD',
      destination: 'X',
    });
    expect(res).toMatchObject({ status: 503, retryAfter: '1', body: { code: 'database_unavailable' } });
  });
});
