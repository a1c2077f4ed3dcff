import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../log.ts';
import { claimTransfer, getTransfer, type Queryable, settleTransfer } from '../payouts/transfers-repo.ts';
import { transferStatements } from '../worker/transfer-statements.ts';
import { pendingPayouts, type TestEnv, testApi, testEnv } from './harness.ts';

/**
 * WORKER_BATCH=on: a worker's concurrent claims (and settles) go out in fewer statements than calls,
 * each caller gets its own answer, and a row someone holds fails only its own caller's statement.
 * Statements are counted by a wrapper around the real pool, which runs every one of them.
 */
let t: TestEnv;
let api: ReturnType<typeof testApi>;
const LOCK_TIMEOUT_MS = 300;
const log = createLogger({ role: 'worker-batch-test', level: 'silent' });

beforeAll(async () => {
  t = await testEnv();
  api = testApi(t);
});
afterAll(async () => {
  api.close();
  await t.close();
});

/** The real pool, recording every statement sent through it. */
function countingPool() {
  const sent: { sql: string; values: unknown[] }[] = [];
  const pool: Queryable = {
    query: ((text: string, values: unknown[]) => {
      sent.push({ sql: text, values });
      return t.pool.query(text, values);
    }) as Queryable['query'],
  };
  const named = (fn: string) => sent.filter((s) => s.sql.includes(fn));
  return { pool, sent, named };
}

function batched(pool: Queryable) {
  return transferStatements(pool, { lockTimeoutMs: LOCK_TIMEOUT_MS, batch: { max: 64 }, log });
}

const payouts = (n: number) => pendingPayouts(t, api, n);

/** Runs `fn` while another transaction holds `id`'s row lock; releases it when `fn` is done. */
async function whileHeld<T>(id: string, fn: () => Promise<T>): Promise<T> {
  const holder = await t.pool.connect();
  try {
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM bank_transfers WHERE id = $1 FOR UPDATE', [id]);
    return await fn();
  } finally {
    await holder.query('ROLLBACK');
    holder.release();
  }
}

describe('claims with WORKER_BATCH=on', () => {
  it('sends a burst of concurrent claims in fewer statements than claims, each claimed once', async () => {
    const ids = await payouts(20);
    const { pool, sent, named } = countingPool();
    const statements = batched(pool);
    const claims = await Promise.all(ids.map((id) => statements.claim(id)));
    // The first goes alone at once; the 19 that arrive while it is in flight go together in the next.
    expect(sent.length).toBeLessThan(ids.length);
    expect(named('transfer_claim_many').map((s) => s.values[0])).toEqual([ids.slice(1)]);
    expect(claims.map((c) => [c?.claimed, c?.transfer.id, c?.transfer.status, c?.transfer.attempts])).toEqual(
      ids.map((id) => [true, id, 'PROCESSING', 1]),
    );
  });

  it('answers each caller of one statement its own: claimed, not claimed, or nothing', async () => {
    const [first, pending, settled] = await payouts(3);
    await claimTransfer(t.pool, settled as string, { lockTimeoutMs: LOCK_TIMEOUT_MS });
    expect(await settleTransfer(t.pool, settled as string, 'ch_before')).toBe(true);
    const unknown = randomUUID();
    const { pool, named } = countingPool();
    const statements = batched(pool);
    const [, a, b, c] = await Promise.all(
      [first, pending, settled, unknown].map((id) => statements.claim(id as string)),
    );
    expect(named('transfer_claim_many').map((s) => s.values[0])).toEqual([[pending, settled, unknown]]);
    expect(a).toMatchObject({ claimed: true, transfer: { id: pending, status: 'PROCESSING', attempts: 1 } });
    expect(b).toMatchObject({
      claimed: false,
      transfer: { id: settled, status: 'SETTLED', attempts: 1, bank_charge_id: 'ch_before' },
    });
    expect(c).toBeNull();
  });

  it('fails only the claim of a row another transaction holds; the others are claimed', async () => {
    const [first, free1, held, free2] = (await payouts(4)) as [string, string, string, string];
    const { pool, named } = countingPool();
    const statements = batched(pool);
    const answers = await whileHeld(held, () =>
      Promise.allSettled([first, free1, held, free2].map((id) => statements.claim(id))),
    );
    expect(named('transfer_claim_many').map((s) => s.values[0])).toEqual([[free1, held, free2]]);
    expect(answers[1]).toMatchObject({
      status: 'fulfilled',
      value: { claimed: true, transfer: { id: free1 } },
    });
    expect(answers[3]).toMatchObject({
      status: 'fulfilled',
      value: { claimed: true, transfer: { id: free2 } },
    });
    expect(answers[2]).toMatchObject({ status: 'rejected', reason: { code: '55P03' } });
    expect(await getTransfer(t.pool, held)).toMatchObject({ status: 'PENDING', attempts: 0 });
    expect(await statements.claim(held)).toMatchObject({ claimed: true, transfer: { attempts: 1 } });
  });
});

describe('settles with WORKER_BATCH=on', () => {
  /** Claimed transfers, as the worker has them when the bank has charged. */
  async function claimed(n: number): Promise<string[]> {
    const ids = await payouts(n);
    for (const id of ids) await claimTransfer(t.pool, id, { lockTimeoutMs: LOCK_TIMEOUT_MS });
    return ids;
  }

  it('sends a burst of settles in fewer statements than settles, each with its own charge id', async () => {
    const ids = await claimed(12);
    const { pool, sent, named } = countingPool();
    const statements = batched(pool);
    const answers = await Promise.all(ids.map((id, i) => statements.settle(id, `ch_${i}`)));
    expect(answers).toEqual(ids.map(() => true));
    expect(sent.length).toBeLessThan(ids.length);
    expect(named('transfer_settle_many').map((s) => s.values[0])).toEqual([ids.slice(1)]);
    for (const [i, id] of ids.entries())
      expect(await getTransfer(t.pool, id)).toMatchObject({ status: 'SETTLED', bank_charge_id: `ch_${i}` });
  });

  it('answers each caller of one statement its own: settled, already terminal, or no such transfer', async () => {
    const [first, open, done] = (await claimed(3)) as [string, string, string];
    expect(await settleTransfer(t.pool, done, 'ch_earlier')).toBe(true);
    const { pool, named } = countingPool();
    const statements = batched(pool);
    const answers = await Promise.all(
      [
        [first, 'ch_a'],
        [open, 'ch_b'],
        [done, 'ch_c'],
        [randomUUID(), 'ch_d'],
      ].map(([id, ch]) => statements.settle(id as string, ch as string)),
    );
    expect(named('transfer_settle_many')).toHaveLength(1);
    expect(answers).toEqual([true, true, false, false]);
    expect(await getTransfer(t.pool, done)).toMatchObject({
      status: 'SETTLED',
      bank_charge_id: 'ch_earlier',
    });
    expect(await getTransfer(t.pool, open)).toMatchObject({ status: 'SETTLED', bank_charge_id: 'ch_b' });
  });

  it('holds up only the settle of a row another transaction holds; the others settle meanwhile', async () => {
    const [first, free1, held, free2] = (await claimed(4)) as [string, string, string, string];
    const { pool, named } = countingPool();
    const statements = batched(pool);
    let heldSettled: boolean | undefined;
    // Wrapped, so that whileHeld does not wait for it before it releases the row.
    const { heldSettle } = await whileHeld(held, async () => {
      const settles = [first, free1, held, free2].map((id) => statements.settle(id, `ch_${id}`));
      const heldOne = (settles[2] as Promise<boolean>).then((v) => {
        heldSettled = v;
        return v;
      });
      // The one-by-one settle of the held row waits for the lock (as it does with WORKER_BATCH=off).
      expect(await Promise.all([settles[0], settles[1], settles[3]])).toEqual([true, true, true]);
      expect(heldSettled).toBeUndefined();
      expect(await getTransfer(t.pool, held)).toMatchObject({ status: 'PROCESSING', bank_charge_id: null });
      return { heldSettle: heldOne };
    });
    expect(named('transfer_settle_many').map((s) => s.values[0])).toEqual([[free1, held, free2]]);
    expect(await heldSettle).toBe(true);
    expect(await getTransfer(t.pool, held)).toMatchObject({
      status: 'SETTLED',
      bank_charge_id: `ch_${held}`,
    });
  });
});
