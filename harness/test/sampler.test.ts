import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openQueue, PAYOUTS_QUEUE, queueConnection } from '../../service/queue/queues.ts';
import { fundedUser, startRole, type TestEnv, testEnv } from '../../service/test/harness.ts';
import type { ServiceHandle } from '../../stack/index.ts';
import { freePort } from '../../stack/ports.ts';
import { targetSql } from '../../stack/target/sql.ts';
import { ApiClient } from '../client/api-client.ts';
import { startSampler, takeSample } from '../runner/sampler.ts';
import { type StateReader, sqlStateReader } from '../target/state.ts';

// The sampler against a real API process, Postgres and the queue Redis.
describe('sampler', () => {
  let t: TestEnv;
  let api: ServiceHandle;
  let redis: Redis;
  let queue: Queue;
  let state: StateReader;
  let accountId: string;

  beforeAll(async () => {
    t = await testEnv();
    api = await startRole(t, 'api');
    redis = queueConnection(t.config);
    queue = openQueue(PAYOUTS_QUEUE, redis, t.config);
    const user = await fundedUser(t, { balance: 1_000 });
    accountId = user.accountId;
    // The reads the native stack's description gives (stack/target/sql/).
    state = sqlStateReader({
      kind: 'sql',
      url: t.config.DATABASE_URL,
      queries: {
        accounts: targetSql('accounts'),
        transfers: targetSql('transfers'),
        open: targetSql('open'),
        keys: targetSql('keys'),
      },
    });
    const client = new ApiClient(api.url);
    for (const key of ['s-1', 's-2']) {
      const body = { accountId: user.accountId, amount: 150, currency: 'USD', destination: 'IBAN-1' };
      expect((await client.payout(user.apiKey, key, body)).type).toBe('ok');
    }
  });
  afterAll(async () => {
    await state?.close();
    await queue?.close();
    redis?.disconnect();
    await api?.stop();
    await t?.close();
  });

  const sources = (urls: string[]) => ({
    now: () => 1234.5,
    apiMetricsUrls: () => urls.map((u) => `${u}/metrics`),
    queueCounts: () => queue.getJobCounts('waiting', 'active', 'delayed'),
    inFlight: () => state.open([accountId]),
  });

  it("reads lock wait from the API, the queue from Redis and money in flight through the target's open read", async () => {
    const s = await takeSample(sources([api.opsUrl]));
    expect(s.t).toBe(1235);
    // No relay runs here: both payouts are debited and still PENDING in the outbox.
    expect(s.inFlight).toEqual({ transfers: 2, amountCents: 300 });
    expect(s.queue).toEqual({ waiting: 0, active: 0, delayed: 0 });
    expect(s.lockWait?.count).toBe(2);
    expect(s.lockWait?.buckets.at(-1)?.[1]).toBe(2);
    expect(s.costMs).toBeGreaterThanOrEqual(0);
  });

  it('leaves a part empty when its source does not answer, and keeps the others', async () => {
    const s = await takeSample(sources([`http://127.0.0.1:${await freePort()}`]));
    expect(s.lockWait).toBeNull();
    expect(s.inFlight).toEqual({ transfers: 2, amountCents: 300 });
  });

  it('writes one JSON line per sample until stopped', async () => {
    const file = join(t.dir, 'samples.jsonl');
    const sampler = startSampler(sources([api.opsUrl]), file, { intervalMs: 50 });
    await new Promise((r) => setTimeout(r, 400));
    await sampler.stop();
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(JSON.parse(lines.at(-1) ?? '')).toEqual(sampler.latest);
    const count = lines.length;
    await new Promise((r) => setTimeout(r, 150));
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(count);
  });
});
