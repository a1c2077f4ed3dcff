import { randomUUID } from 'node:crypto';
import { Queue, type Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../log.ts';
import { failTransfer } from '../payouts/transfers-repo.ts';
import {
  DEAD_LETTER_QUEUE,
  PAYOUTS_QUEUE,
  type PayoutJobData,
  payoutJobId,
  payoutJobOptions,
} from '../queue/queues.ts';
import { type DeadLetter, listDeadLetters, replayDeadLetter } from '../worker/dead-letters.ts';
import { type PayoutWorkerOptions, startPayoutWorker } from '../worker/payout-worker.ts';
import { transferStatements } from '../worker/transfer-statements.ts';
import { accountAudit, eventually, fundedUser, type TestEnv, testApi, testEnv } from './harness.ts';
import { startTestBank, type TestBank, tempDataDir } from './test-bank.ts';

/** Final failures the worker must close like any other: stalled too often, and rows the bank refuses. */
let t: TestEnv;
let api: ReturnType<typeof testApi>;
let bank: TestBank;
let bankDir: Awaited<ReturnType<typeof tempDataDir>>;
let redis: Redis;
let dlq: Queue<DeadLetter>;
let payouts: Queue<PayoutJobData>;

beforeAll(async () => {
  bankDir = await tempDataDir();
  bank = await startTestBank({ dataDir: bankDir.dir, clientTimeoutMs: 10_000 });
  t = await testEnv({ BANK_URL: bank.url, WORKER_ATTEMPTS: '3', WORKER_BACKOFF_MS: '50' });
  api = testApi(t);
  redis = new Redis(t.config.REDIS_QUEUE_URL, { maxRetriesPerRequest: null });
  dlq = new Queue<DeadLetter>(DEAD_LETTER_QUEUE, { connection: redis, prefix: t.config.QUEUE_PREFIX });
  payouts = new Queue<PayoutJobData>(PAYOUTS_QUEUE, { connection: redis, prefix: t.config.QUEUE_PREFIX });
});
afterAll(async () => {
  await Promise.all([dlq.close(), payouts.close()]);
  redis.disconnect();
  api.close();
  await bank.stop();
  await bankDir.remove();
  await t.close();
});

/** An in-process payout worker on its own connection (so closing it cannot touch the test's). */
function worker(overrides: Partial<PayoutWorkerOptions> = {}): Worker<PayoutJobData> {
  const connection = new Redis(t.config.REDIS_QUEUE_URL, { maxRetriesPerRequest: null });
  const log = createLogger({ role: 'worker-test', level: 'silent' });
  const w = startPayoutWorker({
    deps: {
      pool: t.pool,
      bank: bank.client,
      failTransfer,
      dlq,
      transfers: transferStatements(t.pool, { lockTimeoutMs: 2_000, batch: null, log }),
      log,
    },
    connection,
    prefix: t.config.QUEUE_PREFIX,
    concurrency: 5,
    stalledIntervalMs: 200,
    lockMs: 1_000,
    maxStalledCount: 5,
    backoffMs: 50,
    ...overrides,
  });
  w.on('closed', () => connection.disconnect());
  return w;
}

/** A committed payout (debited, in the outbox) and its job on the queue; no relay runs here. */
async function payout(u: Awaited<ReturnType<typeof fundedUser>>): Promise<string> {
  const r = await api.call('POST', '/v1/payouts', {
    key: u.apiKey,
    idem: randomUUID(),
    body: { accountId: u.accountId, amount: 100, currency: 'USD', destination: 'IBAN-1' },
  });
  expect(r.status).toBe(201);
  return r.body.id;
}

async function enqueue(id: string) {
  await payouts.add('payout', { transferId: id }, payoutJobOptions(t.config, payoutJobId(id)));
}

async function status(id: string): Promise<{ status: string; last_error: string | null }> {
  const { rows } = await t.pool.query('SELECT status, last_error FROM bank_transfers WHERE id = $1', [id]);
  return rows[0];
}

const letterFor = (id: string) => async () =>
  (await listDeadLetters(dlq)).find((l) => l.transferId === id) ?? null;

describe('worker final failures', () => {
  it('dead-letters a job that stalled more often than allowed, and closes it at the bank', async () => {
    const u = await fundedUser(t, { balance: 1_000 });
    const id = await payout(u);
    // The bank holds the first attempt long enough for its worker to vanish without a word.
    await bank.control.setFaults({ latencyMs: 4_000 });
    const first = worker({ maxStalledCount: 0 });
    await enqueue(id);
    await eventually(async () => (await status(id)).status === 'PROCESSING');
    await first.close(true); // gone without releasing its lock: the job stalls
    const second = worker({ maxStalledCount: 0 });
    try {
      const letter = await eventually(letterFor(id), { timeoutMs: 15_000 });
      expect(letter.reason).toMatch(/stalled more than allowable limit/);
      const final = await eventually(async () => {
        const s = await status(id);
        return s.status === 'SETTLED' || s.status === 'FAILED' ? s : null;
      });
      // Voided before the held request could charge (FAILED, refunded), or the void found it charged.
      await new Promise((r) => setTimeout(r, 4_500)); // the held request has come and gone
      const charged = (await bank.control.chargesFor(id)).filter((c) => c.status === 'charged');
      const audit = await accountAudit(t.pool, u.accountId);
      if (final.status === 'FAILED') {
        expect(charged).toHaveLength(0);
        expect(audit).toEqual({ balance: 1_000, ledger: 1_000 });
      } else {
        expect(charged).toHaveLength(1);
        expect(audit).toEqual({ balance: 900, ledger: 900 });
      }
    } finally {
      await bank.control.setFaults({});
      await second.close();
    }
  }, 40_000);

  it('retries a row the bank refuses, dead-letters it with its money held, and a replay after the fix settles it once', async () => {
    const u = await fundedUser(t, { balance: 1_000 });
    const id = await payout(u);
    // A corrupt row: a currency the bank refuses (400), so every attempt throws.
    await t.pool.query("UPDATE bank_transfers SET currency = 'usd' WHERE id = $1", [id]);
    const w = worker();
    try {
      await enqueue(id);
      const letter = await eventually(letterFor(id));
      expect(letter).toMatchObject({ attemptsMade: 3, reason: expect.stringMatching(/invalid_request/) });
      expect(await status(id)).toMatchObject({
        status: 'PROCESSING',
        last_error: expect.stringMatching(/400/),
      });
      expect(await accountAudit(t.pool, u.accountId)).toEqual({ balance: 900, ledger: 900 });
      expect(await bank.control.chargesFor(id)).toEqual([]);

      await t.pool.query("UPDATE bank_transfers SET currency = 'USD' WHERE id = $1", [id]);
      await replayDeadLetter(dlq, payouts, {
        transferId: id,
        jobOptions: (jobId) => payoutJobOptions(t.config, jobId),
      });
      await eventually(async () => (await status(id)).status === 'SETTLED');
      expect((await bank.control.chargesFor(id)).filter((c) => c.status === 'charged')).toHaveLength(1);
      expect(await accountAudit(t.pool, u.accountId)).toEqual({ balance: 900, ledger: 900 });
    } finally {
      await w.close();
    }
  });
});
