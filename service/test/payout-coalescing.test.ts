// Payout batches (payout_batch(), migration 0009) and hot-account coalescing (PAYOUT_COALESCE=on): one
// transaction for many payouts of one account, each with its own key, response, ledger entry and outbox
// row, and only those the balance cannot cover refused.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { registry } from '../metrics.ts';
import { moneyDeps } from '../money/money-deps.ts';
import { type PayoutItem, runPayoutBatch } from '../money/money-repo.ts';
import { type MoneyDeps, type PayoutInput, payout } from '../money/operations.ts';
import { accountAudit, eventually, fundedUser, type TestEnv, testApi, testEnv } from './harness.ts';

let t: TestEnv;
let api: ReturnType<typeof testApi>;
beforeAll(async () => {
  t = await testEnv({ PAYOUT_COALESCE: 'on' });
  api = testApi(t);
});
afterAll(async () => {
  api.close();
  await t.close();
});

const item = (
  amount: number,
  key: string | null = randomUUID(),
  deadline: number | null = null,
): PayoutItem => ({
  amount,
  currency: 'USD',
  destination: `IBAN-${amount}`,
  idempotencyKey: key,
  requestHash: randomBytes(32),
  holdReason: null,
  deadline,
});

/** Holds an account's row lock, as a stuck transaction would, until release(). */
async function holdRow(accountId: string) {
  const holder = await t.pool.connect();
  await holder.query('BEGIN');
  await holder.query('SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE', [accountId]);
  return {
    async release() {
      await holder.query('COMMIT');
      holder.release();
    },
  };
}

/** Sessions waiting on a lock of this test's database right now. */
async function lockWaiters(): Promise<number> {
  const { rows } = await t.pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
  );
  return rows[0]?.n ?? 0;
}

/** A payout through the money path as the API calls it; settles into its answer or its error's code. */
function pay(deps: MoneyDeps, input: PayoutInput) {
  return payout(deps, input).then(
    (r) => ({ status: r.status, replayed: r.replayed, id: r.body.id as string | undefined, code: undefined }),
    (err: unknown) => {
      if (!(err instanceof AppError)) throw err;
      return { status: err.status, replayed: false, id: undefined, code: err.code };
    },
  );
}

async function batchFigures() {
  const values = (await registry.getSingleMetric('payout_batch_size')?.get())?.values ?? [];
  const pick = (name: string) =>
    values.find((v) => (v as { metricName?: string }).metricName === name)?.value ?? 0;
  return { batches: pick('payout_batch_size_count'), payouts: pick('payout_batch_size_sum') };
}

describe('payout_batch()', () => {
  it('decides payouts in order against the balance: only those it cannot cover are refused', async () => {
    const u = await fundedUser(t, { balance: 1_000 });
    const first = item(600);
    const items = [first, item(500), item(300), item(100), { ...first, amount: 1 }];
    const batch = { userId: u.userId, accountId: u.accountId, items, lockTimeoutMs: 2_000 };
    const rows = await runPayoutBatch(t.pool, batch, { retries: 0 });
    expect(rows.map((r) => r.outcome)).toEqual([
      'created',
      'insufficient_funds',
      'created',
      'created',
      'in_flight', // the same key twice in one batch: the second waits for the first, as across requests
    ]);
    expect(rows.map((r) => r.response_status)).toEqual([201, 422, 201, 201, null]);
    const ids = rows.slice(0, 4).map((r) => (r.response_body as { id?: string }).id);
    expect(new Set(ids.filter(Boolean)).size).toBe(3);
    expect(await accountAudit(t.pool, u.accountId)).toEqual({ balance: 0, ledger: 0 });
    const { rows: transfers } = await t.pool.query(
      `SELECT t.amount::int, t.status, count(l.*)::int AS ledger
         FROM bank_transfers t JOIN ledger_entries l ON l.transfer_id = t.id
        WHERE t.account_id = $1 GROUP BY t.id ORDER BY t.amount DESC`,
      [u.accountId],
    );
    expect(transfers).toEqual([
      { amount: 600, status: 'PENDING', ledger: 1 },
      { amount: 300, status: 'PENDING', ledger: 1 },
      { amount: 100, status: 'PENDING', ledger: 1 },
    ]);
    // Each key stored its own answer: the same batch again replays them all, and changes nothing.
    const again = await runPayoutBatch(t.pool, { ...batch, items: items.slice(0, 4) }, { retries: 0 });
    expect(again.map((r) => r.outcome)).toEqual(['replay', 'replay', 'replay', 'replay']);
    expect(again.map((r) => r.response_body)).toEqual(rows.slice(0, 4).map((r) => r.response_body));
    expect((await accountAudit(t.pool, u.accountId)).balance).toBe(0);
  });
});

describe('payout_batch() deadlines', () => {
  it('writes nothing for a payout past its deadline, and keeps no key for it', async () => {
    const u = await fundedUser(t, { balance: 1_000 });
    const late = item(100, randomUUID(), Date.now() - 1);
    const batch = {
      userId: u.userId,
      accountId: u.accountId,
      items: [late, item(200)],
      lockTimeoutMs: 2_000,
    };
    const rows = await runPayoutBatch(t.pool, batch, { retries: 0 });
    expect(rows.map((r) => [r.outcome, r.response_status])).toEqual([
      ['deadline_exceeded', null],
      ['created', 201],
    ]);
    const keys = await t.pool.query('SELECT 1 FROM idempotency_keys WHERE key = $1', [late.idempotencyKey]);
    expect(keys.rowCount).toBe(0);
    expect(await accountAudit(t.pool, u.accountId)).toEqual({ balance: 800, ledger: 800 });
  });

  it('decides at the moment the row lock is granted: a payout whose deadline passed while it waited is not written', async () => {
    const u = await fundedUser(t, { balance: 1_000 });
    const held = await holdRow(u.accountId);
    const now = Date.now();
    const items = [item(100, randomUUID(), now + 300), item(200, randomUUID(), now + 20_000)];
    const batch = { userId: u.userId, accountId: u.accountId, items, lockTimeoutMs: 10_000 };
    const answer = runPayoutBatch(t.pool, batch, { retries: 0 });
    try {
      await eventually(async () => (await lockWaiters()) === 1);
      await eventually(async () => Date.now() > now + 500);
    } finally {
      await held.release();
    }
    expect((await answer).map((r) => r.outcome)).toEqual(['deadline_exceeded', 'created']);
    expect(await accountAudit(t.pool, u.accountId)).toEqual({ balance: 800, ledger: 800 });
  });

  it('stops waiting for the row lock by the latest deadline of its payouts', async () => {
    const u = await fundedUser(t, { balance: 1_000 });
    const held = await holdRow(u.accountId);
    try {
      const items = [item(100, randomUUID(), Date.now() + 300)];
      const batch = { userId: u.userId, accountId: u.accountId, items, lockTimeoutMs: 30_000 };
      await expect(runPayoutBatch(t.pool, batch, { retries: 0 })).rejects.toMatchObject({
        code: 'lock_timeout',
      });
    } finally {
      await held.release();
    }
    expect(await accountAudit(t.pool, u.accountId)).toEqual({ balance: 1_000, ledger: 1_000 });
  });
});

describe('PAYOUT_COALESCE=on', () => {
  it('gathers concurrent payouts of one account, and lets exactly the affordable number through', async () => {
    const u = await fundedUser(t, { balance: 100 * 100 });
    const before = await batchFigures();
    const keys = Array.from({ length: 300 }, () => randomUUID());
    const body = { accountId: u.accountId, amount: 100, currency: 'USD', destination: 'IBAN-1' };
    const results = await Promise.all(
      keys.map((idem) => api.call('POST', '/v1/payouts', { key: u.apiKey, idem, body })),
    );
    const after = await batchFigures();
    expect(after.payouts - before.payouts).toBe(300);
    expect(after.batches - before.batches).toBeLessThan(300); // some payouts shared a transaction
    expect(results.filter((r) => r.status === 201)).toHaveLength(100);
    const refused = results.filter((r) => r.status === 422);
    expect(refused).toHaveLength(200);
    expect(refused.every((r) => r.body.code === 'insufficient_funds')).toBe(true);
    expect(new Set(results.filter((r) => r.status === 201).map((r) => r.body.id)).size).toBe(100);
    expect(await accountAudit(t.pool, u.accountId)).toEqual({ balance: 0, ledger: 0 });

    // Every key kept its own answer: replays, concurrent again, give back exactly what each got.
    const replays = await Promise.all(
      keys.map((idem) => api.call('POST', '/v1/payouts', { key: u.apiKey, idem, body })),
    );
    expect(replays.map((r) => [r.status, r.body])).toEqual(results.map((r) => [r.status, r.body]));
    expect((await accountAudit(t.pool, u.accountId)).balance).toBe(0);
  });
});

describe('PAYOUT_COALESCE=on, with the row busy', () => {
  const input = (u: { userId: string; accountId: string }, idempotencyKey: string, amount = 100) => ({
    userId: u.userId,
    accountId: u.accountId,
    idempotencyKey,
    amount,
    currency: 'USD',
    destination: 'IBAN-1',
  });

  it('answers a key twice in one gathering exactly as without coalescing: the stored response', async () => {
    const deps = moneyDeps(t.config, t.pool);
    const u = await fundedUser(t, { balance: 10_000 });
    const [stored, fresh] = [randomUUID(), randomUUID()];
    const first = await pay(deps, input(u, stored));
    expect(first).toMatchObject({ status: 201, replayed: false });

    const held = await holdRow(u.accountId);
    let fillers: Promise<unknown>[] = [];
    let queued: ReturnType<typeof pay>[] = [];
    try {
      fillers = [pay(deps, input(u, randomUUID())), pay(deps, input(u, randomUUID()))];
      await eventually(async () => (await lockWaiters()) === 2); // two batches out: the rest queue
      queued = [stored, stored, fresh, fresh].map((k) => pay(deps, input(u, k)));
    } finally {
      await held.release();
    }
    await Promise.all(fillers);
    const [a, b, c, d] = await Promise.all(queued);
    expect([a, b]).toEqual([
      { status: 201, replayed: true, id: first.id, code: undefined },
      { status: 201, replayed: true, id: first.id, code: undefined },
    ]);
    expect([c?.status, d?.status, c?.replayed, d?.replayed]).toEqual([201, 201, false, true]);
    expect(d?.id).toBe(c?.id);
    expect(await accountAudit(t.pool, u.accountId)).toEqual({ balance: 9_600, ledger: 9_600 });
  });

  it('answers a queued payout by its deadline while the row stays locked, and never writes it', async () => {
    const deps = moneyDeps(t.config, t.pool);
    const short = { ...deps, deadlineMs: 600 }; // the same coalescer, a shorter deadline
    const u = await fundedUser(t, { balance: 10_000 });
    const held = await holdRow(u.accountId);
    let fillersBack = 0;
    const fillers = [pay(deps, input(u, randomUUID())), pay(deps, input(u, randomUUID()))].map((p) =>
      p.finally(() => fillersBack++),
    );
    const keys = Array.from({ length: 4 }, () => randomUUID());
    try {
      await eventually(async () => (await lockWaiters()) === 2); // two batches out: the rest queue
      const answers = await Promise.all(keys.map((k) => pay(short, input(u, k))));
      expect(answers.map((a) => [a.status, a.code])).toEqual(
        keys.map(() => [503, 'payout_deadline_exceeded']),
      );
      expect(fillersBack).toBe(0); // answered while the batches ahead of them still wait for the row
    } finally {
      await held.release();
    }
    expect((await Promise.all(fillers)).map((a) => a.status)).toEqual([201, 201]);
    const written = await t.pool.query('SELECT 1 FROM idempotency_keys WHERE key = ANY($1)', [keys]);
    expect(written.rowCount).toBe(0);
    expect(await accountAudit(t.pool, u.accountId)).toEqual({ balance: 9_800, ledger: 9_800 });
  });
});
