import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BankUnavailable } from '../bank/client.ts';
import { createLogger } from '../log.ts';
import { PAYOUTS_QUEUE, type PayoutJobData, payoutJobOptions } from '../queue/queues.ts';
import { type ReconDeps, reconcile } from '../recon/reconcile.ts';
import { eventually, pendingPayouts, startRole, type TestEnv, testApi, testEnv } from './harness.ts';
import { startTestBank, type TestBank, tempDataDir } from './test-bank.ts';

let t: TestEnv;
let api: ReturnType<typeof testApi>;
let bank: TestBank;
let bankDir: Awaited<ReturnType<typeof tempDataDir>>;
let redis: Redis;
let queue: Queue<PayoutJobData>;

beforeAll(async () => {
  bankDir = await tempDataDir();
  bank = await startTestBank({ dataDir: bankDir.dir });
  t = await testEnv({ BANK_URL: bank.url });
  api = testApi(t);
  redis = new Redis(t.config.REDIS_QUEUE_URL, { maxRetriesPerRequest: null });
  queue = new Queue<PayoutJobData>(PAYOUTS_QUEUE, { connection: redis, prefix: t.config.QUEUE_PREFIX });
});
afterAll(async () => {
  await queue.close();
  redis.disconnect();
  api.close();
  await bank.stop();
  await bankDir.remove();
  await t.close();
});

function deps(overrides: Partial<ReconDeps> = {}): ReconDeps {
  return {
    pool: t.pool,
    bank: bank.client,
    payouts: queue,
    jobOptions: (jobId) => payoutJobOptions(t.config, jobId),
    log: createLogger({ role: 'recon-test', level: 'silent' }),
    stuckAfterMs: 60_000,
    maxAttempts: 3,
    queueBound: 20,
    batch: 10,
    maxRunMs: 60_000,
    ...overrides,
  };
}

/** Payouts committed to the outbox with no relay running, then aged so recon sees them as stuck. */
async function stuckPayouts(n: number, status: 'PENDING' | 'PROCESSING') {
  const ids = await pendingPayouts(t, api, n);
  await t.pool.query(
    `UPDATE bank_transfers SET status = $2::transfer_status, updated_at = now() - interval '1 hour',
            published_at = CASE WHEN $2::transfer_status = 'PROCESSING' THEN now() - interval '1 hour' END WHERE id = ANY($1)`,
    [ids, status],
  );
  return ids;
}

describe('recon janitor', () => {
  it('settles by bank lookup, re-sends the rest, and never lets the queue exceed its bound', async () => {
    const processing = await stuckPayouts(150, 'PROCESSING');
    const pending = await stuckPayouts(50, 'PENDING');
    const alreadyCharged = processing.slice(0, 30);
    for (const id of alreadyCharged)
      await bank.client.charge({ key: id, amount: 100, currency: 'USD', reference: id });

    // A slow worker so the queue backs up and the throttle has to hold recon back.
    await bank.control.setFaults({ latencyMs: 20 });
    const worker = await startRole(t, 'worker', { WORKER_CONCURRENCY: '4' });
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await queue.getWaitingCount());
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    try {
      const summary = await reconcile(deps());
      sampling = false;
      await sampler;
      expect(summary).toMatchObject({ examined: 200, settledByLookup: 30, requeued: 170, complete: true });
      expect(summary.throttledMs).toBeGreaterThan(0);
      expect(summary.peakWaiting).toBeLessThanOrEqual(20);
      expect(peak).toBeLessThanOrEqual(20);
      const all = [...processing, ...pending];
      await eventually(
        async () => {
          const { rows } = await t.pool.query(
            "SELECT count(*)::int AS n FROM bank_transfers WHERE id = ANY($1) AND status = 'SETTLED'",
            [all],
          );
          return rows[0].n === all.length;
        },
        { timeoutMs: 100_000 },
      );
      for (const id of all) {
        const charged = (await bank.control.chargesFor(id)).filter((c) => c.status === 'charged');
        expect(charged).toHaveLength(1);
      }
    } finally {
      sampling = false;
      await bank.control.setFaults({});
      await worker.stop();
    }
    // 200 payouts through a deliberately slow bank: on a busy machine that takes longer than the default.
  }, 120_000);

  it('leaves fresh transfers alone and moves ones recon already tried too often to MANUAL_REVIEW', async () => {
    const [tired] = await stuckPayouts(1, 'PROCESSING');
    await t.pool.query('UPDATE bank_transfers SET recon_attempts = 3 WHERE id = $1', [tired]);
    const fresh = await stuckPayouts(1, 'PROCESSING');
    await t.pool.query('UPDATE bank_transfers SET updated_at = now() WHERE id = ANY($1)', [fresh]);

    const summary = await reconcile(deps());
    expect(summary).toMatchObject({ examined: 1, manualReview: 1, requeued: 0 });
    const { rows } = await t.pool.query('SELECT id, status FROM bank_transfers WHERE id = ANY($1)', [
      [tired, ...fresh],
    ]);
    expect(Object.fromEntries(rows.map((r) => [r.id, r.status]))).toEqual({
      [tired as string]: 'MANUAL_REVIEW',
      [fresh[0] as string]: 'PROCESSING',
    });
  });

  it('refunds a transfer whose charge the bank holds as voided', async () => {
    const [voided] = (await stuckPayouts(1, 'PROCESSING')) as [string];
    await bank.client.void(voided);
    const summary = await reconcile(deps());
    expect(summary.failedByLookup).toBe(1);
    const { rows } = await t.pool.query(
      "SELECT count(*)::int AS n FROM ledger_entries WHERE transfer_id = $1 AND kind = 'payout_reversal'",
      [voided],
    );
    expect(rows[0].n).toBe(1);
  });

  it('skips a row whose lookup fails, counts it, and resolves the rest of the batch', async () => {
    const ids = await stuckPayouts(5, 'PROCESSING');
    const [unlucky, charged, ...rest] = ids as [string, string, ...string[]];
    await bank.client.charge({ key: charged, amount: 100, currency: 'USD', reference: charged });
    const lookup = (key: string) =>
      key === unlucky
        ? Promise.reject(new BankUnavailable('GET /v1/charges: bank answered 503', 'server_error'))
        : bank.client.lookup(key);
    const summary = await reconcile(deps({ bank: { lookup }, maxAttempts: 5 }));
    expect(summary).toMatchObject({ examined: 5, lookupErrors: 1, settledByLookup: 1, requeued: 3 });
    const { rows } = await t.pool.query(
      'SELECT id, status, recon_attempts FROM bank_transfers WHERE id = ANY($1)',
      [ids],
    );
    const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
    expect(byId[unlucky]).toMatchObject({ status: 'PROCESSING', recon_attempts: 0 });
    expect(byId[charged]).toMatchObject({ status: 'SETTLED' });
    for (const id of rest) expect(byId[id]).toMatchObject({ recon_attempts: 1 });
    await queue.drain();
  });

  it('holds no row lock while it asks the bank or enqueues', async () => {
    const ids = await stuckPayouts(3, 'PROCESSING');
    const [voided] = ids as [string];
    await bank.client.void(voided);
    const probe = await t.pool.connect();
    const locked: string[] = [];
    // Another session takes each row (and the account) with NOWAIT: it fails at once if recon holds it.
    const tryLock = async (id: string) => {
      await probe.query('BEGIN');
      try {
        await probe.query(
          `SELECT 1 FROM bank_transfers t JOIN accounts a ON a.id = t.account_id
            WHERE t.id = $1 FOR UPDATE NOWAIT`,
          [id],
        );
      } catch {
        locked.push(id);
      } finally {
        await probe.query('ROLLBACK');
      }
    };
    const bankProbe = {
      lookup: async (key: string) => {
        await tryLock(key);
        return bank.client.lookup(key);
      },
    };
    const queueProbe = Object.create(queue) as typeof queue;
    queueProbe.addBulk = async (jobs) => {
      for (const j of jobs) await tryLock(j.data.transferId);
      return queue.addBulk(jobs);
    };
    try {
      const summary = await reconcile(deps({ bank: bankProbe, payouts: queueProbe, maxAttempts: 5 }));
      expect(summary).toMatchObject({ examined: 3, failedByLookup: 1, requeued: 2 });
      expect(locked).toEqual([]);
    } finally {
      probe.release();
      await queue.drain();
    }
  });
});
