import type { Queue } from 'bullmq';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../log.ts';
import { payoutJobOptions } from '../queue/queues.ts';
import { publishBatch } from '../relay/relay.ts';
import { fundedUser, type TestEnv, testEnv } from './harness.ts';

/**
 * A failover (or a PostgreSQL crash) drops the relay's connection while its transaction waits on Redis.
 * No query is running then, so pg reports it as an 'error' event on the client: unheard, that event
 * crashed the relay process, and nothing published the outbox until recon noticed.
 */
let t: TestEnv;
let pool: pg.Pool;

beforeAll(async () => {
  t = await testEnv();
  pool = new pg.Pool({
    connectionString: t.config.DATABASE_URL,
    max: 1,
    application_name: 'relay-under-test',
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
  log: createLogger({ role: 'test-relay', level: 'silent' }),
});

describe('the relay when its connection drops mid-batch', () => {
  it('rolls the batch back and goes on, instead of crashing on the client error event', async () => {
    const id = await pendingPayout();
    const dropConnection = async () => {
      // The relay's transaction is idle in transaction while it waits for Redis: cut it there.
      await t.pool.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'relay-under-test'",
      );
      await new Promise((r) => setTimeout(r, 200));
    };
    await expect(publishBatch(deps(dropConnection))).rejects.toThrow();
    const before = await t.pool.query('SELECT published_at FROM bank_transfers WHERE id = $1', [id]);
    expect(before.rows[0]?.published_at).toBeNull();

    // The broken client was thrown away: the next batch gets a working one and publishes the row.
    expect(await publishBatch(deps(async () => []))).toBe(1);
    const after = await t.pool.query('SELECT published_at FROM bank_transfers WHERE id = $1', [id]);
    expect(after.rows[0]?.published_at).not.toBeNull();
  });
});
