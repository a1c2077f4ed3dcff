import type { Queue } from 'bullmq';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../db/pool.ts';
import { createLogger } from '../log.ts';
import { payoutJobOptions } from '../queue/queues.ts';
import { publishBatch } from '../relay/relay.ts';
import { fundedUser, type TestEnv, testEnv } from './harness.ts';

/**
 * A failover (or a PostgreSQL crash) drops the relay's connection while it waits on Redis. No query is
 * running then, so pg reports it as an 'error' event: unheard, that event crashed the relay process, and
 * nothing published the outbox until recon noticed. The relay's pool (createPool) hears it.
 */
let t: TestEnv;
let pool: pg.Pool;

beforeAll(async () => {
  t = await testEnv();
  pool = createPool(t.config, {
    max: 1,
    log: createLogger({ role: 'test-relay', level: 'silent' }),
    name: 'relay-under-test',
  });
});
afterAll(async () => {
  await pool.end();
  await t.close();
});

async function pendingPayout(): Promise<string> {
  const user = await fundedUser(t, { balance: 10_000 });
  const { rows } = await t.pool.query<{ id: string }>(
    `INSERT INTO bank_transfers (user_id, account_id, amount, currency, destination, status, attempts)
     VALUES ($1, $2, 100, 'USD', 'IBAN-relay', 'PENDING', 0) RETURNING id`,
    [user.userId, user.accountId],
  );
  return (rows[0] as { id: string }).id;
}

const deps = (addBulk: () => Promise<unknown>) => ({
  pool,
  queue: { addBulk } as unknown as Queue<{ transferId: string }>,
  jobOptions: (id: string) => payoutJobOptions(t.config, id),
  batch: 10,
  leaseMs: 10_000,
  name: 'relay-under-test',
  log: createLogger({ role: 'test-relay', level: 'silent' }),
});

describe('the relay when its connection drops mid-batch', () => {
  it('goes on instead of crashing on the error event, and the row is published', async () => {
    const id = await pendingPayout();
    const dropConnection = async () => {
      // The relay holds no transaction while it waits for Redis: its idle connection is cut there.
      await t.pool.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'faultline-relay-under-test'",
      );
      await new Promise((r) => setTimeout(r, 200));
    };
    // Marking the row published takes a fresh connection, or fails and leaves the row leased to this relay,
    // which takes it back on its next pass.
    const first = await publishBatch(deps(dropConnection)).catch(() => 0);
    if (first === 0) expect(await publishBatch(deps(async () => []))).toBe(1);
    const after = await t.pool.query('SELECT published_at FROM bank_transfers WHERE id = $1', [id]);
    expect(after.rows[0]?.published_at).not.toBeNull();
  });
});
