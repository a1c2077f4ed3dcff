import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moneyDeps } from '../money/money-deps.ts';
import { payout } from '../money/operations.ts';
import { fundedUser, type TestEnv, testEnv } from './harness.ts';

/**
 * A retry with the key of a payout made before is answered from the stored key. That answer must be as
 * durable as the payout's own 201: on a server that cannot write — a standby, a demoted primary that
 * HAProxy still forwards to for a moment — it is refused instead of replayed, and on a primary the
 * retry's commit waits for the synchronous standby (pg-primary-isolated lost acknowledged replays when
 * it did not). A read-only transaction stands in for the server that cannot write.
 */
let t: TestEnv;
let readOnly: pg.Pool;

beforeAll(async () => {
  t = await testEnv();
  readOnly = new pg.Pool({
    connectionString: t.config.DATABASE_URL,
    max: 2,
    options: '-c default_transaction_read_only=on',
  });
  readOnly.on('error', () => {});
});
afterAll(async () => {
  await readOnly.end();
  await t.close();
});

describe('a replayed payout answer', () => {
  it('is given by a server that can write, and refused by one that cannot', async () => {
    const user = await fundedUser(t, { balance: 10_000 });
    const request = {
      userId: user.userId,
      idempotencyKey: 'replay-durable-1',
      accountId: user.accountId,
      amount: 100,
      currency: 'USD',
      destination: 'IBAN-replay',
    };
    const first = await payout(moneyDeps(t.config, t.pool), request);
    expect(first.status).toBe(201);
    const replay = await payout(moneyDeps(t.config, t.pool), request);
    expect(replay).toMatchObject({ status: 201, body: first.body });
    await expect(payout(moneyDeps(t.config, readOnly), request)).rejects.toMatchObject({
      code: 'database_unavailable',
    });
  });
});
