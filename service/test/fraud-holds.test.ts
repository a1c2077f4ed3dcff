// Payouts held by the fraud rules, end to end in the database: answered 201 in MANUAL_REVIEW, debited,
// never claimable by the relay until released; released goes on through the outbox, refused is refunded.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../db/sql.ts';
import { openHolds, refuseHeldPayout, releaseHeldPayout } from '../fraud/holds.ts';
import { opsForTest } from '../ops/test-ops.ts';
import { accountAudit, eventually, fundedUser, type TestEnv, testApi, testEnv } from './harness.ts';

let t: TestEnv;
let api: ReturnType<typeof testApi>;
beforeAll(async () => {
  t = await testEnv({ FRAUD_MAX_PAYOUTS: '2', FRAUD_WINDOW_MS: '600000', FRAUD_ANOMALY_FACTOR: '0' });
  api = testApi(t);
  await eventually(async () => api.reads.link.reachable());
});
afterAll(async () => {
  await api.close();
  await t.close();
});

type User = Awaited<ReturnType<typeof fundedUser>>;
const pay = (u: User, amount = 100, idem = randomUUID()) =>
  api.call('POST', '/v1/payouts', {
    key: u.apiKey,
    idem,
    body: { accountId: u.accountId, amount, currency: 'USD', destination: 'IBAN-1' },
  });

/** Transfer ids the relay would claim now (rolled back: nothing is claimed for real). */
async function claimable(): Promise<string[]> {
  const client = await t.pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query(sql('outbox-claim'), [10_000, 60_000, 'fraud-holds-test']);
    return rows.map((r) => r.id);
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}

/** A user with two admitted payouts and one held (FRAUD_MAX_PAYOUTS = 2); returns the held one's id. */
async function heldPayout(u: User): Promise<string> {
  expect((await pay(u)).body.status).toBe('PENDING');
  expect((await pay(u)).body.status).toBe('PENDING');
  const held = await pay(u);
  expect(held).toMatchObject({ status: 201, body: { status: 'MANUAL_REVIEW', amount: 100 } });
  return held.body.id;
}

describe('a payout held by the fraud rules', () => {
  it('is debited, answered 201 MANUAL_REVIEW, queued for review and invisible to the relay', async () => {
    const u = await fundedUser(t, { balance: 1_000 });
    const id = await heldPayout(u);
    expect(await accountAudit(t.pool, u.accountId)).toEqual({ balance: 700, ledger: 700 });
    expect((await api.call('GET', `/v1/payouts/${id}`, { key: u.apiKey })).body).toMatchObject({
      status: 'MANUAL_REVIEW',
    });
    expect(await claimable()).not.toContain(id);
    const holds = await openHolds(t.pool, { limit: 1_000 });
    expect(holds.find((h) => h.transferId === id)).toMatchObject({ reason: 'velocity_count', amount: 100 });
    const { rows } = await t.pool.query(sql('outbox-unpublished-count'));
    expect(rows[0].n).toBe((await claimable()).length);
  });

  it('a payout that did not happen (insufficient funds, a replay) does not count against the window', async () => {
    const u = await fundedUser(t, { balance: 150 });
    const idem = randomUUID();
    expect((await pay(u, 100, idem)).body.status).toBe('PENDING');
    expect((await pay(u, 100, idem)).headers.get('idempotent-replayed')).toBe('true');
    expect((await pay(u, 100)).status).toBe(422);
    expect((await pay(u, 50)).body.status).toBe('PENDING');
  });

  it('released: PENDING, claimable by the relay, the decision recorded; a second decision changes nothing', async () => {
    const u = await fundedUser(t, { balance: 1_000 });
    const id = await heldPayout(u);
    expect(await releaseHeldPayout(t.pool, id, { by: 'ops-alice', reason: 'customer confirmed' })).toBe(
      'released',
    );
    expect(await claimable()).toContain(id);
    const { rows } = await t.pool.query(
      'SELECT t.status, h.decision, h.decided_by, h.note FROM bank_transfers t JOIN payout_holds h ON h.transfer_id = t.id WHERE t.id = $1',
      [id],
    );
    expect(rows[0]).toEqual({
      status: 'PENDING',
      decision: 'released',
      decided_by: 'ops-alice',
      note: 'customer confirmed',
    });
    expect(await releaseHeldPayout(t.pool, id, { by: 'ops-bob', reason: 'second look' })).toBe(
      'already_decided',
    );
    expect(await refuseHeldPayout(t.pool, id, { by: 'ops-bob', reason: 'second look' })).toBe(
      'already_decided',
    );
    expect(await accountAudit(t.pool, u.accountId)).toEqual({ balance: 700, ledger: 700 });
  });

  it('refused: FAILED and refunded by a reversal entry, never claimable', async () => {
    const u = await fundedUser(t, { balance: 1_000 });
    const id = await heldPayout(u);
    expect(await refuseHeldPayout(t.pool, id, { by: 'ops-alice', reason: 'stolen card' })).toBe('refused');
    expect(await accountAudit(t.pool, u.accountId)).toEqual({ balance: 800, ledger: 800 });
    expect(await claimable()).not.toContain(id);
    const { rows } = await t.pool.query('SELECT status, last_error FROM bank_transfers WHERE id = $1', [id]);
    expect(rows[0]).toEqual({ status: 'FAILED', last_error: 'fraud_refused' });
    expect(await releaseHeldPayout(t.pool, id, { by: 'ops-bob', reason: 'second look' })).toBe(
      'already_decided',
    );
  });

  it('refuses to decide what the fraud rules did not hold: a normal payout, or recon manual review', async () => {
    const u = await fundedUser(t, { balance: 1_000 });
    const normal = (await pay(u)).body.id;
    expect(await refuseHeldPayout(t.pool, normal, { by: 'x', reason: 'y' })).toBe('not_held');
    expect(await releaseHeldPayout(t.pool, normal, { by: 'x', reason: 'y' })).toBe('not_held');
    await t.pool.query(sql('recon-mark-manual-review'), [[normal], 'recon gave up']);
    expect(await refuseHeldPayout(t.pool, normal, { by: 'x', reason: 'y' })).toBe('not_held');
    expect(await releaseHeldPayout(t.pool, randomUUID(), { by: 'x', reason: 'y' })).toBe('not_held');
    expect(await accountAudit(t.pool, u.accountId)).toEqual({ balance: 900, ledger: 900 });
  });
});

/** Decisions from the shell: `npm run ops -- fraud …` (and `review`) through the one runner. */
describe('npm run ops -- fraud', () => {
  const ops = (...argv: string[]) => opsForTest({ config: t.config, pool: t.pool })(...argv);
  const decision = async (id: string) =>
    (await t.pool.query('SELECT decision, decided_by, note FROM payout_holds WHERE transfer_id = $1', [id]))
      .rows[0];

  it('lists held payouts, releases one and refuses another, each recorded with who and why', async () => {
    const u = await fundedUser(t, { balance: 1_000 });
    const first = await heldPayout(u);
    const second = (await pay(u)).body.id;
    const listed = await ops('fraud', 'list');
    expect(listed.out.map((l) => JSON.parse(l).transferId)).toEqual(expect.arrayContaining([first, second]));
    expect(listed.notes.at(-1)).toMatch(/held payout\(s\) waiting for review$/);

    expect(
      await ops('fraud', 'release', first.toUpperCase(), '--by', 'ops-carol', '--reason', 'customer called'),
    ).toMatchObject({
      code: 0,
      out: [
        `released ${first}: PENDING again; the relay sends it to the bank; decided by ops-carol: customer called`,
      ],
    });
    expect(await decision(first)).toEqual({
      decision: 'released',
      decided_by: 'ops-carol',
      note: 'customer called',
    });
    expect(await claimable()).toContain(first);

    expect((await ops('fraud', 'refuse', second, '--by', 'ops-carol', '--reason', 'stolen card')).code).toBe(
      0,
    );
    expect(await decision(second)).toEqual({
      decision: 'refused',
      decided_by: 'ops-carol',
      note: 'stolen card',
    });
    expect(await accountAudit(t.pool, u.accountId)).toEqual({ balance: 700, ledger: 700 });
  });

  it('a repeated decision is done (exit 0, nothing changes); the other decision is refused (exit 1)', async () => {
    const u = await fundedUser(t, { balance: 1_000 });
    const id = await heldPayout(u);
    expect((await ops('fraud', 'refuse', id, '--by', 'ops-carol', '--reason', 'stolen card')).code).toBe(0);

    const again = await ops('fraud', 'refuse', id, '--by', 'ops-dan', '--reason', 'retry');
    expect(again.code).toBe(0);
    expect(again.out).toEqual([
      expect.stringMatching(/^already refused by ops-carol at \S+: stolen card \(nothing changed\)$/),
    ]);
    const other = await ops('fraud', 'release', id, '--by', 'ops-dan', '--reason', 'changed my mind');
    expect(other.code).toBe(1);
    expect(other.out).toEqual([
      expect.stringMatching(`^refused: ${id} was already refused by ops-carol at `),
    ]);
    expect(await decision(id)).toEqual({ decision: 'refused', decided_by: 'ops-carol', note: 'stolen card' });
    expect(await accountAudit(t.pool, u.accountId)).toEqual({ balance: 800, ledger: 800 });
  });

  it("each group refuses the other's payouts (exit 1, naming the group to use) and changes nothing", async () => {
    const u = await fundedUser(t, { balance: 1_000 });
    const held = await heldPayout(u);
    const v = await fundedUser(t, { balance: 1_000 });
    const normal = (await pay(v)).body.id;
    const who = ['--by', 'ops-erin', '--reason', 'looked at it'];

    expect(await ops('fraud', 'release', normal, ...who)).toMatchObject({
      code: 1,
      out: [`refused: ${normal} is PENDING, not held by the fraud rules`],
    });
    await t.pool.query(sql('recon-mark-manual-review'), [[normal], 'recon gave up']);
    expect(await ops('fraud', 'refuse', normal, ...who)).toMatchObject({
      code: 1,
      out: [expect.stringMatching(/because recon gave up on it.*npm run ops -- review settle\|refund$/)],
    });
    expect(await ops('fraud', 'release', randomUUID(), ...who)).toMatchObject({
      code: 1,
      out: [/^refused: no transfer/],
    });

    const inReview = (await ops('review', 'list')).out.map((l) => JSON.parse(l).id);
    expect(inReview).toContain(normal);
    expect(inReview).not.toContain(held);
    for (const decide of ['settle', 'refund'])
      expect(await ops('review', decide, held, ...who)).toMatchObject({
        code: 1,
        out: [
          `refused: ${held} is held by the fraud rules (velocity_count), not by recon: decide it with npm run ops -- fraud release|refuse`,
        ],
      });
    const { rows } = await t.pool.query(
      'SELECT status FROM bank_transfers WHERE id = ANY($1) ORDER BY id = $2',
      [[held, normal], held],
    );
    expect(rows).toEqual([{ status: 'MANUAL_REVIEW' }, { status: 'MANUAL_REVIEW' }]);
    expect(await decision(held)).toEqual({ decision: null, decided_by: null, note: null });
    expect(await accountAudit(t.pool, u.accountId)).toEqual({ balance: 700, ledger: 700 });
  });

  it("a released hold that recon later parks is review's to decide, no longer fraud's", async () => {
    const u = await fundedUser(t, { balance: 1_000 });
    const id = await heldPayout(u);
    expect((await ops('fraud', 'release', id, '--by', 'ops-carol', '--reason', 'known customer')).code).toBe(
      0,
    );
    await t.pool.query(sql('recon-mark-manual-review'), [[id], 'recon gave up']);
    expect((await ops('review', 'list')).out.map((l) => JSON.parse(l).id)).toContain(id);
    expect(await ops('fraud', 'refuse', id, '--by', 'ops-dan', '--reason', 'too late')).toMatchObject({
      code: 1,
      out: [expect.stringMatching(`^refused: ${id} was already released by ops-carol`)],
    });
    expect((await ops('fraud', 'list')).out.map((l) => JSON.parse(l).transferId)).not.toContain(id);
  });
});
