import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opsForTest } from '../ops/test-ops.ts';
import { accountAudit, fundedUser, type TestEnv, testApi, testEnv } from './harness.ts';
import { startTestBank, type TestBank, tempDataDir } from './test-bank.ts';

/** `npm run ops -- review …` against real Postgres and a real bank: the way out of MANUAL_REVIEW. */
let t: TestEnv;
let api: ReturnType<typeof testApi>;
let bank: TestBank;
let bankDir: Awaited<ReturnType<typeof tempDataDir>>;

beforeAll(async () => {
  bankDir = await tempDataDir();
  bank = await startTestBank({ dataDir: bankDir.dir });
  t = await testEnv({ BANK_URL: bank.url });
  api = testApi(t);
});
afterAll(async () => {
  api.close();
  await bank.stop();
  await bankDir.remove();
  await t.close();
});

/** `npm run ops -- review …` through the one runner; what it printed to stdout, as one text. */
async function ops(...argv: string[]) {
  const r = await opsForTest({ config: t.config, pool: t.pool, bank: bank.client })(...argv);
  return { code: r.code, out: r.out.join('\n'), notes: r.notes };
}

/** A payout recon gave up on: debited, parked in MANUAL_REVIEW. */
async function parked() {
  const u = await fundedUser(t, { balance: 1_000 });
  const r = await api.call('POST', '/v1/payouts', {
    key: u.apiKey,
    idem: randomUUID(),
    body: { accountId: u.accountId, amount: 300, currency: 'USD', destination: 'IBAN-9' },
  });
  await t.pool.query(
    "UPDATE bank_transfers SET status = 'MANUAL_REVIEW', last_error = 'recon gave up' WHERE id = $1",
    [r.body.id],
  );
  return { ...u, id: r.body.id as string };
}

const who = ['--by', 'ann@ops', '--reason', 'checked the bank statement'];

describe('ops review', () => {
  it('lists payouts in review with what the bank holds for each', async () => {
    const p = await parked();
    await bank.client.charge({ key: p.id, amount: 300, currency: 'USD', reference: p.id });
    const { code, out, notes } = await ops('review', 'list');
    expect(code).toBe(0);
    expect(notes.at(-1)).toMatch(/^\d+ payout\(s\) in review$/);
    const line = out.split('\n').find((l) => l.includes(p.id)) as string;
    expect(JSON.parse(line)).toMatchObject({
      id: p.id,
      amount: 300,
      bank: 'charged',
      lastError: 'recon gave up',
    });
  });

  it('refunds once, after voiding at the bank, recorded with who and why and linked from the ledger', async () => {
    const p = await parked();
    const first = await ops('review', 'refund', p.id, ...who);
    expect(first).toMatchObject({ code: 0, out: expect.stringMatching(/^refunded .*decided by ann@ops/) });
    expect(await accountAudit(t.pool, p.accountId)).toEqual({ balance: 1_000, ledger: 1_000 });
    expect(await bank.client.lookup(p.id)).toMatchObject({ status: 'voided' });

    const again = await ops('review', 'refund', p.id, '--by', 'bob', '--reason', 'retry');
    expect(again).toMatchObject({ code: 0, out: expect.stringMatching(/^already refunded by ann@ops/) });
    expect(await accountAudit(t.pool, p.accountId)).toEqual({ balance: 1_000, ledger: 1_000 });

    const { rows } = await t.pool.query(
      `SELECT r.actor, r.reason, r.decision, t.status
         FROM ledger_entries l JOIN transfer_reviews r ON r.id = l.operation_id
         JOIN bank_transfers t ON t.id = l.transfer_id
        WHERE l.transfer_id = $1 AND l.kind = 'payout_reversal'`,
      [p.id],
    );
    expect(rows).toEqual([
      { actor: 'ann@ops', reason: 'checked the bank statement', decision: 'refund', status: 'FAILED' },
    ]);
    const settle = await ops('review', 'settle', p.id, ...who);
    expect(settle).toMatchObject({
      code: 1,
      out: expect.stringMatching(/^refused: .* was already refunded/),
    });
  });

  it('settles only what the bank charged, once, and refuses to refund it', async () => {
    const p = await parked();
    const none = await ops('review', 'settle', p.id, ...who);
    expect(none).toMatchObject({ code: 1, out: expect.stringMatching(/holds no charge .*never seen/) });

    const charged = await bank.client.charge({ key: p.id, amount: 300, currency: 'USD', reference: p.id });
    const refund = await ops('review', 'refund', p.id, ...who);
    expect(refund).toMatchObject({
      code: 1,
      out: expect.stringMatching(/the bank charged .*settle it instead/),
    });
    expect(await accountAudit(t.pool, p.accountId)).toEqual({ balance: 700, ledger: 700 });

    expect(await ops('review', 'settle', p.id, ...who)).toMatchObject({ code: 0 });
    expect(await ops('review', 'settle', p.id, ...who)).toMatchObject({ code: 0, out: /^already settled/ });
    const { rows } = await t.pool.query('SELECT status, bank_charge_id FROM bank_transfers WHERE id = $1', [
      p.id,
    ]);
    expect(rows[0]).toEqual({ status: 'SETTLED', bank_charge_id: charged.charge.id });
  });

  it('refuses a payout that is not in review, and one that does not exist', async () => {
    const p = await parked();
    await t.pool.query("UPDATE bank_transfers SET status = 'PROCESSING' WHERE id = $1", [p.id]);
    expect(await ops('review', 'refund', p.id, ...who)).toMatchObject({
      code: 1,
      out: expect.stringContaining('is PROCESSING, not in MANUAL_REVIEW'),
    });
    expect(await ops('review', 'refund', randomUUID(), ...who)).toMatchObject({
      code: 1,
      out: /no transfer/,
    });
  });
});
