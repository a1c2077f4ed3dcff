import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deposit } from '../money/operations.ts';
import { accountAudit, fundedUser, type TestEnv, testApi, testEnv, testOperator } from './harness.ts';

let t: TestEnv;
let api: ReturnType<typeof testApi>;
beforeAll(async () => {
  t = await testEnv();
  api = testApi(t);
});
afterAll(async () => {
  api.close();
  await t.close();
});

const payoutBody = (accountId: string, amount = 100) => ({
  accountId,
  amount,
  currency: 'USD',
  destination: 'IBAN-1',
});

describe('deposits: money is created by operators only', () => {
  it("funds any user's account with an operator key, and records the operator", async () => {
    const u = await fundedUser(t, { balance: 0 });
    const operator = await testOperator(t);
    const res = await api.call('POST', `/v1/accounts/${u.accountId}/deposits`, {
      key: operator.apiKey,
      idem: randomUUID(),
      body: { amount: 700, currency: 'USD' },
    });
    expect(res).toMatchObject({ status: 201, body: { amount: 700, balance: 700, madeBy: operator.id } });
    const { rows } = await t.pool.query(
      'SELECT made_by, amount::int FROM deposits WHERE operation_id = $1 AND account_id = $2',
      [res.body.id, u.accountId],
    );
    expect(rows).toEqual([{ made_by: operator.id, amount: 700 }]);
    expect(await accountAudit(t.pool, u.accountId)).toEqual({ balance: 700, ledger: 700 });
  });

  it('refuses an ordinary user in the database too, not only at the API', async () => {
    const u = await fundedUser(t, { balance: 0 });
    const money = { pool: t.pool, lockTimeoutMs: 2_000, retries: 0 };
    const attempt = deposit(money, {
      operatorId: u.userId,
      idempotencyKey: null,
      accountId: u.accountId,
      amount: 1_000,
      currency: 'USD',
    });
    await expect(attempt).rejects.toMatchObject({ status: 403, code: 'operator_only' });
    expect(await accountAudit(t.pool, u.accountId)).toEqual({ balance: 0, ledger: 0 });
  });
});

describe('concurrent debits on one account', () => {
  it('lets exactly the affordable number through, never below zero', async () => {
    const u = await fundedUser(t, { balance: 100 * 100 });
    const results = await Promise.all(
      Array.from({ length: 300 }, () =>
        api.call('POST', '/v1/payouts', { key: u.apiKey, idem: randomUUID(), body: payoutBody(u.accountId) }),
      ),
    );
    const refused = results.filter((r) => r.status === 422);
    expect(results.filter((r) => r.status === 201)).toHaveLength(100);
    expect(refused).toHaveLength(200);
    expect(refused.every((r) => r.body.code === 'insufficient_funds')).toBe(true);
    expect(await accountAudit(t.pool, u.accountId)).toEqual({ balance: 0, ledger: 0 });
    const { rows } = await t.pool.query(
      'SELECT count(*)::int AS n FROM bank_transfers WHERE account_id = $1',
      [u.accountId],
    );
    expect(rows[0].n).toBe(100);
  });
});

describe('idempotency keys', () => {
  it('replays the stored response for the same key and body', async () => {
    const u = await fundedUser(t, { balance: 1_000 });
    const idem = randomUUID();
    const first = await api.call('POST', '/v1/payouts', {
      key: u.apiKey,
      idem,
      body: payoutBody(u.accountId),
    });
    const again = await api.call('POST', '/v1/payouts', {
      key: u.apiKey,
      idem,
      body: payoutBody(u.accountId),
    });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await accountAudit(t.pool, u.accountId)).balance).toBe(900);
  });

  it('replays a stored insufficient-funds answer even after the account is funded', async () => {
    const u = await fundedUser(t, { balance: 50 });
    const idem = randomUUID();
    const first = await api.call('POST', '/v1/payouts', {
      key: u.apiKey,
      idem,
      body: payoutBody(u.accountId),
    });
    const deposited = await api.call('POST', `/v1/accounts/${u.accountId}/deposits`, {
      key: (await testOperator(t)).apiKey,
      idem: randomUUID(),
      body: { amount: 500, currency: 'USD' },
    });
    expect(deposited.status).toBe(201);
    const again = await api.call('POST', '/v1/payouts', {
      key: u.apiKey,
      idem,
      body: payoutBody(u.accountId),
    });
    expect(first.status).toBe(422);
    expect(again).toMatchObject({ status: 422, body: first.body });
    expect((await accountAudit(t.pool, u.accountId)).balance).toBe(550);
  });

  it('answers 422 when the key comes back with a different body', async () => {
    const u = await fundedUser(t, { balance: 1_000 });
    const idem = randomUUID();
    await api.call('POST', '/v1/payouts', { key: u.apiKey, idem, body: payoutBody(u.accountId, 100) });
    const other = await api.call('POST', '/v1/payouts', {
      key: u.apiKey,
      idem,
      body: payoutBody(u.accountId, 200),
    });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('idempotency_key_reused');
    expect((await accountAudit(t.pool, u.accountId)).balance).toBe(900);
  });

  it('answers 409 while the first request with the key is still in its transaction', async () => {
    const u = await fundedUser(t, { balance: 1_000 });
    const idem = randomUUID();
    const holder = await t.pool.connect();
    try {
      // Stand in for a first request that is mid-transaction: it holds the key's advisory lock.
      await holder.query('BEGIN');
      await holder.query("SELECT pg_advisory_xact_lock(hashtextextended($1::text || '/' || $2, 0))", [
        u.userId,
        idem,
      ]);
      const during = await api.call('POST', '/v1/payouts', {
        key: u.apiKey,
        idem,
        body: payoutBody(u.accountId),
      });
      expect(during.status).toBe(409);
      expect(during.body.code).toBe('idempotency_key_in_flight');
      await holder.query('COMMIT');
    } finally {
      holder.release();
    }
    const after = await api.call('POST', '/v1/payouts', {
      key: u.apiKey,
      idem,
      body: payoutBody(u.accountId),
    });
    expect(after.status).toBe(201);
    expect((await accountAudit(t.pool, u.accountId)).balance).toBe(900);
  });

  it('debits once when the same key races with itself', async () => {
    const u = await fundedUser(t, { balance: 1_000 });
    const idem = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 30 }, () =>
        api.call('POST', '/v1/payouts', { key: u.apiKey, idem, body: payoutBody(u.accountId) }),
      ),
    );
    const created = results.filter((r) => r.status === 201);
    expect(results.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    expect((await accountAudit(t.pool, u.accountId)).balance).toBe(900);
  });

  it('scopes keys per user', async () => {
    const a = await fundedUser(t, { balance: 1_000 });
    const b = await fundedUser(t, { balance: 1_000 });
    const idem = randomUUID();
    const ra = await api.call('POST', '/v1/payouts', { key: a.apiKey, idem, body: payoutBody(a.accountId) });
    const rb = await api.call('POST', '/v1/payouts', { key: b.apiKey, idem, body: payoutBody(b.accountId) });
    expect([ra.status, rb.status]).toEqual([201, 201]);
    expect(ra.body.id).not.toBe(rb.body.id);
  });
});

describe('internal transfers', () => {
  it('runs opposite transfers concurrently without a deadlock reaching a client', async () => {
    const a = await fundedUser(t, { balance: 100_000 });
    const b = await fundedUser(t, { balance: 100_000 });
    // Both accounts belong to different users; each debits its own account.
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => {
        const [from, to] = i % 2 ? [a, b] : [b, a];
        return api.call('POST', '/v1/transfers', {
          key: from.apiKey,
          idem: randomUUID(),
          body: {
            fromAccountId: from.accountId,
            toAccountId: to.accountId,
            amount: 1 + (i % 7),
            currency: 'USD',
          },
        });
      }),
    );
    expect(results.filter((r) => r.status !== 201)).toEqual([]);
    const [auditA, auditB] = [
      await accountAudit(t.pool, a.accountId),
      await accountAudit(t.pool, b.accountId),
    ];
    expect(auditA.balance).toBe(auditA.ledger);
    expect(auditB.balance).toBe(auditB.ledger);
    expect(auditA.balance + auditB.balance).toBe(200_000);
  });

  it('refuses a transfer between currencies', async () => {
    const a = await fundedUser(t, { balance: 1_000 });
    const e = await fundedUser(t, { balance: 1_000, currency: 'EUR' });
    const r = await api.call('POST', '/v1/transfers', {
      key: a.apiKey,
      idem: randomUUID(),
      body: { fromAccountId: a.accountId, toAccountId: e.accountId, amount: 10, currency: 'USD' },
    });
    expect(r).toMatchObject({ status: 422, body: { code: 'currency_mismatch' } });
  });
});

describe('the CHECK constraint', () => {
  it('refuses a negative balance even for a statement that skips the locked check', async () => {
    const u = await fundedUser(t, { balance: 10 });
    await expect(
      t.pool.query('UPDATE accounts SET balance = balance - 11 WHERE id = $1', [u.accountId]),
    ).rejects.toMatchObject({ code: '23514' });
  });
});
