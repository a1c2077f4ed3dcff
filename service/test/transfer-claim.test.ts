import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimTransfer, failTransfer, settleTransfer } from '../payouts/transfers-repo.ts';
import { fundedUser, type TestEnv, testApi, testEnv } from './harness.ts';

/** The worker's claim: PROCESSING and one more attempt in one statement, or the row untouched. */
let t: TestEnv;
const CLAIM = { lockTimeoutMs: 2_000 };
let api: ReturnType<typeof testApi>;

beforeAll(async () => {
  t = await testEnv();
  api = testApi(t);
});
afterAll(async () => {
  api.close();
  await t.close();
});

async function payout(): Promise<string> {
  const u = await fundedUser(t, { balance: 1_000 });
  const r = await api.call('POST', '/v1/payouts', {
    key: u.apiKey,
    idem: randomUUID(),
    body: { accountId: u.accountId, amount: 100, currency: 'USD', destination: 'IBAN-1' },
  });
  expect(r.status).toBe(201);
  return r.body.id;
}

describe('claimTransfer', () => {
  it('claims a PENDING transfer, and again a PROCESSING one (a retry), counting attempts', async () => {
    const id = await payout();
    const first = await claimTransfer(t.pool, id, CLAIM);
    expect(first).toMatchObject({
      claimed: true,
      transfer: { id, status: 'PROCESSING', attempts: 1, amount: 100 },
    });
    expect(first?.transfer).not.toHaveProperty('claimed');
    const retry = await claimTransfer(t.pool, id, CLAIM);
    expect(retry).toMatchObject({ claimed: true, transfer: { status: 'PROCESSING', attempts: 2 } });
  });

  it('leaves a SETTLED or FAILED transfer untouched and says what it is', async () => {
    const settled = await payout();
    await claimTransfer(t.pool, settled, CLAIM);
    expect(await settleTransfer(t.pool, settled, 'ch_test_1')).toBe(true);
    expect(await claimTransfer(t.pool, settled, CLAIM)).toMatchObject({
      claimed: false,
      transfer: { status: 'SETTLED', attempts: 1, bank_charge_id: 'ch_test_1' },
    });
    const failed = await payout();
    expect(await failTransfer(t.pool, failed, 'test')).toBe(true);
    expect(await claimTransfer(t.pool, failed, CLAIM)).toMatchObject({
      claimed: false,
      transfer: { status: 'FAILED', attempts: 0 },
    });
  });

  it('waits at most its lock timeout for a row someone holds, then fails having changed nothing', async () => {
    const id = await payout();
    const holder = await t.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM bank_transfers WHERE id = $1 FOR UPDATE', [id]);
      await expect(claimTransfer(t.pool, id, { lockTimeoutMs: 200 })).rejects.toMatchObject({
        code: '55P03',
      });
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    expect(await claimTransfer(t.pool, id, CLAIM)).toMatchObject({
      claimed: true,
      transfer: { attempts: 1 },
    });
  });

  it('finds nothing for a transfer that does not exist', async () => {
    expect(await claimTransfer(t.pool, randomUUID(), CLAIM)).toBeNull();
  });
});
