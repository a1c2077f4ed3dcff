import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { scrapeValue } from '../../harness/client/metrics-scrape.ts';
import type { ServiceHandle } from '../../stack/index.ts';
import { DEAD_LETTER_QUEUE, PAYOUTS_QUEUE, payoutJobOptions } from '../queue/queues.ts';
import { type DeadLetter, listDeadLetters, replayDeadLetter } from '../worker/dead-letters.ts';
import {
  accountAudit,
  eventually,
  fundedUser,
  startRole,
  type TestEnv,
  testApi,
  testEnv,
} from './harness.ts';
import { startTestBank, type TestBank, tempDataDir } from './test-bank.ts';

/** The outbox → relay → queue → worker → bank path, with real processes for relay and worker. */
let t: TestEnv;
let api: ReturnType<typeof testApi>;
let bank: TestBank;
let bankDir: Awaited<ReturnType<typeof tempDataDir>>;
let redis: Redis;
let dlq: Queue<DeadLetter>;
const roles: ServiceHandle[] = [];

beforeAll(async () => {
  bankDir = await tempDataDir();
  bank = await startTestBank({ dataDir: bankDir.dir });
  t = await testEnv({
    BANK_URL: bank.url,
    WORKER_ATTEMPTS: '3',
    WORKER_BACKOFF_MS: '50',
    BANK_TIMEOUT_MS: '3000',
  });
  api = testApi(t);
  redis = new Redis(t.config.REDIS_QUEUE_URL, { maxRetriesPerRequest: null });
  dlq = new Queue<DeadLetter>(DEAD_LETTER_QUEUE, { connection: redis, prefix: t.config.QUEUE_PREFIX });
  roles.push(await startRole(t, 'relay'));
});
afterEach(async () => {
  await bank.control.setFaults({});
});
afterAll(async () => {
  await Promise.all(roles.map((r) => r.stop()));
  await dlq.close();
  redis.disconnect();
  api.close();
  await bank.stop();
  await bankDir.remove();
  await t.close();
});

async function payouts(n: number, opts: { destination?: string; balance?: number } = {}) {
  const u = await fundedUser(t, { balance: opts.balance ?? 100_000 });
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await api.call('POST', '/v1/payouts', {
      key: u.apiKey,
      idem: randomUUID(),
      body: {
        accountId: u.accountId,
        amount: 100,
        currency: 'USD',
        destination: opts.destination ?? 'IBAN-1',
      },
    });
    expect(r.status).toBe(201);
    ids.push(r.body.id);
  }
  return { ...u, ids };
}

async function statuses(ids: string[]) {
  const { rows } = await t.pool.query<{ status: string }>(
    'SELECT status FROM bank_transfers WHERE id = ANY($1)',
    [ids],
  );
  return rows.map((r) => r.status);
}

const allIn = (ids: string[], status: string) => async () =>
  (await statuses(ids)).filter((s) => s === status).length === ids.length;

async function chargedOnceEach(ids: string[]) {
  for (const id of ids) {
    const charges = await bank.control.chargesFor(id);
    expect(charges.filter((c) => c.status === 'charged')).toHaveLength(1);
  }
}

async function withWorker<T>(
  env: Record<string, string>,
  body: (w: ServiceHandle) => Promise<T>,
): Promise<T> {
  const worker = await startRole(t, 'worker', env);
  try {
    return await body(worker);
  } finally {
    await worker.stop();
  }
}

describe('payout flow', () => {
  it('settles every payout exactly once through the outbox, relay, queue and worker', async () => {
    await withWorker({}, async () => {
      const p = await payouts(40);
      await eventually(allIn(p.ids, 'SETTLED'));
      await chargedOnceEach(p.ids);
      expect(await accountAudit(t.pool, p.accountId)).toEqual({ balance: 96_000, ledger: 96_000 });
    });
  });

  it('fails a declined payout, refunds it and dead-letters its job', async () => {
    await withWorker({}, async () => {
      const p = await payouts(2, { destination: 'DECLINE-me' });
      await eventually(allIn(p.ids, 'FAILED'));
      expect(await accountAudit(t.pool, p.accountId)).toEqual({ balance: 100_000, ledger: 100_000 });
      const letters = await eventually(async () => {
        const l = (await listDeadLetters(dlq)).filter((d) => p.ids.includes(d.transferId));
        return l.length === 2 ? l : null;
      });
      expect(letters.every((l) => /declined/.test(l.reason))).toBe(true);
    });
  });

  it('retries bank errors with backoff, then voids, fails and refunds once attempts run out', async () => {
    await bank.control.setFaults({ errorRate: 1 });
    await withWorker({}, async () => {
      const p = await payouts(3);
      await eventually(allIn(p.ids, 'FAILED'));
      const { rows } = await t.pool.query('SELECT attempts FROM bank_transfers WHERE id = ANY($1)', [p.ids]);
      expect(rows.every((r) => r.attempts === 3)).toBe(true);
      expect(await accountAudit(t.pool, p.accountId)).toEqual({ balance: 100_000, ledger: 100_000 });
      for (const id of p.ids) expect((await bank.client.lookup(id))?.status).toBe('voided');
      // A late duplicate can no longer charge: the key is voided at the bank.
      await bank.control.setFaults({});
      const late = await bank.client.charge({
        key: p.ids[0],
        amount: 100,
        currency: 'USD',
        reference: p.ids[0] ?? '',
      });
      expect(late.kind).toBe('voided');
    });
  });

  it('leaves a payout open when the bank is unreachable to the end, and a replay settles it', async () => {
    const port = Number(new URL(bank.url).port);
    await bank.stop();
    await withWorker({}, async () => {
      const p = await payouts(1);
      const id = p.ids[0] as string;
      await eventually(async () => (await listDeadLetters(dlq)).some((d) => d.transferId === id));
      expect(await statuses(p.ids)).toEqual(['PROCESSING']);
      // The bank comes back on the same address, with its durable ledger.
      bank = await startTestBank({ dataDir: bankDir.dir, port });
      const payoutsQueue = new Queue(PAYOUTS_QUEUE, { connection: redis, prefix: t.config.QUEUE_PREFIX });
      const jobId = await replayDeadLetter(dlq, payoutsQueue, {
        transferId: id,
        jobOptions: (j) => payoutJobOptions(t.config, j),
      });
      expect(jobId).toMatch(/replay/);
      await eventually(allIn(p.ids, 'SETTLED'));
      await chargedOnceEach(p.ids);
      expect((await listDeadLetters(dlq)).some((d) => d.transferId === id)).toBe(false);
      await payoutsQueue.close();
    });
  });
});

describe('relays', () => {
  it('publish each outbox row exactly once when two run at the same time', async () => {
    const second = await startRole(t, 'relay');
    roles.push(second);
    const urls = roles.filter((r) => r.role === 'relay').map((r) => `${r.opsUrl}/metrics`);
    const before = await scrapeValue(urls, 'outbox_published_total');
    await withWorker({}, async () => {
      const p = await payouts(60);
      await eventually(allIn(p.ids, 'SETTLED'));
      await chargedOnceEach(p.ids);
    });
    expect((await scrapeValue(urls, 'outbox_published_total')) - before).toBe(60);
  });
});

describe('worker lifecycle', () => {
  it('drains in-flight jobs on SIGTERM: none lost, exit code 0', async () => {
    await bank.control.setFaults({ latencyMs: 1_500 });
    const worker = await startRole(t, 'worker');
    const p = await payouts(10);
    await eventually(allIn(p.ids, 'PROCESSING'));
    worker.kill('SIGTERM');
    const exit = await worker.exited;
    expect(exit.code).toBe(0);
    expect(await statuses(p.ids)).toEqual(p.ids.map(() => 'SETTLED'));
    await chargedOnceEach(p.ids);
  });

  it('takes up a SIGKILLed worker’s jobs as stalled jobs, charging each once', async () => {
    await bank.control.setFaults({ latencyMs: 1_000 });
    const env = { STALLED_INTERVAL_MS: '500', JOB_LOCK_MS: '1000' };
    const doomed = await startRole(t, 'worker', env);
    const p = await payouts(10);
    await eventually(allIn(p.ids, 'PROCESSING'));
    doomed.kill('SIGKILL');
    await doomed.exited;
    await withWorker(env, async () => {
      await eventually(allIn(p.ids, 'SETTLED'), { timeoutMs: 60_000 });
    });
    await chargedOnceEach(p.ids);
    expect(await accountAudit(t.pool, p.accountId)).toEqual({ balance: 99_000, ledger: 99_000 });
    // Two worker processes start here (tsx compiles each): on a busy 2-core machine that alone took 10 s.
  }, 90_000);
});
