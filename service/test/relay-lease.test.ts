// The relay's claim is a lease, never a lock held across its call to Redis (issue 16): a relay whose
// addBulk hangs — a real queue Redis behind our toxiproxy-compatible proxy, with a toxic that holds the
// relay's bytes — must not make a worker's claim of one of its rows wait.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Toxiproxy, type Proxy as ToxiproxyProxy } from 'toxiproxy-node-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cut } from '../../harness/chaos/network-faults.ts';
import { startToxiproxyServer, type ToxiproxyServer } from '../../harness/chaos/toxiproxy/server.ts';
import { freePort } from '../../stack/ports.ts';
import { createLogger } from '../log.ts';
import { claimTransfer, getTransfer } from '../payouts/transfers-repo.ts';
import { PAYOUTS_QUEUE, type PayoutJobData, payoutJobId, payoutJobOptions } from '../queue/queues.ts';
import { publishBatch, type RelayDeps } from '../relay/relay.ts';
import { eventually, pendingPayouts, type TestEnv, testApi, testEnv } from './harness.ts';

let t: TestEnv;
let api: ReturnType<typeof testApi>;
let server: ToxiproxyServer;
let link: ToxiproxyProxy;
/** The relay's queue, through the proxy; `direct` reads the same queue without it. */
let relayQueue: Queue<PayoutJobData>;
let direct: Queue<PayoutJobData>;
let relayConnection: Redis;
let directConnection: Redis;

beforeAll(async () => {
  t = await testEnv();
  api = testApi(t);
  server = await startToxiproxyServer();
  const redis = new URL(t.config.REDIS_QUEUE_URL);
  const listen = `127.0.0.1:${await freePort()}`;
  link = await new Toxiproxy(server.url).createProxy({
    name: 'relay-queue',
    listen,
    upstream: `${redis.hostname}:${redis.port}`,
  });
  redis.host = listen;
  // A producer connection as the relay's (queues.ts producerConnection), with a command timeout longer
  // than the test, so that the held addBulk hangs until the toxic goes.
  relayConnection = new Redis(redis.toString(), {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    commandTimeout: 60_000,
  });
  relayConnection.on('error', () => {});
  directConnection = new Redis(t.config.REDIS_QUEUE_URL, { maxRetriesPerRequest: 1 });
  const prefix = t.config.QUEUE_PREFIX;
  relayQueue = new Queue<PayoutJobData>(PAYOUTS_QUEUE, { connection: relayConnection, prefix });
  direct = new Queue<PayoutJobData>(PAYOUTS_QUEUE, { connection: directConnection, prefix });
  await Promise.all([relayQueue.waitUntilReady(), direct.waitUntilReady()]);
});
afterEach(async () => {
  await link
    .getToxic('hold')
    .then((toxic) => toxic.remove())
    .catch(() => {}); // already removed by the test
  await t.pool.query('UPDATE bank_transfers SET published_at = now() WHERE published_at IS NULL');
});
afterAll(async () => {
  await relayQueue?.close();
  await direct?.close();
  relayConnection?.disconnect();
  directConnection?.disconnect();
  await server?.stop();
  api.close();
  await t?.close();
});

function relay(name: string, overrides: Partial<RelayDeps> = {}): RelayDeps {
  return {
    pool: t.pool,
    queue: relayQueue,
    jobOptions: (jobId) => payoutJobOptions(t.config, jobId),
    batch: 100,
    leaseMs: 30_000,
    name,
    log: createLogger({ role: 'relay-test', level: 'silent' }),
    ...overrides,
  };
}

const payouts = (n: number) => pendingPayouts(t, api, n);

/** Holds every byte the relay sends to Redis until the toxic is removed. */
const holdRelayBytes = () =>
  link.addToxic({
    name: 'hold',
    type: 'latency',
    stream: 'upstream',
    toxicity: 1,
    attributes: { latency: 600_000 },
  });

/** Resolves once the relay has called addBulk (its claim is done and its jobs are on their way). */
function whenPublishing(deps: RelayDeps): { deps: RelayDeps; reached: Promise<void> } {
  let reached!: () => void;
  const promise = new Promise<void>((r) => {
    reached = r;
  });
  const queue = Object.create(deps.queue) as Queue<PayoutJobData>;
  queue.addBulk = (jobs) => {
    reached();
    return deps.queue.addBulk(jobs);
  };
  return { deps: { ...deps, queue }, reached: promise };
}

describe('the relay mid-publish', () => {
  it("holds no lock on its rows: a worker's claim of one does not wait while addBulk hangs", async () => {
    const ids = await payouts(3);
    const toxic = await holdRelayBytes();
    const { deps, reached } = whenPublishing(relay('relay-a'));
    const publishing = publishBatch(deps);
    await reached;
    const rows = await t.pool.query(
      'SELECT publish_lease_owner AS owner, published_at FROM bank_transfers WHERE id = ANY($1)',
      [ids],
    );
    expect(rows.rows).toEqual(ids.map(() => ({ owner: 'relay-a', published_at: null })));

    const claim = await claimTransfer(t.pool, ids[0] as string, { lockTimeoutMs: 500 });
    expect(claim).toMatchObject({ claimed: true, transfer: { status: 'PROCESSING', attempts: 1 } });

    await toxic.remove();
    expect(await publishing).toBe(3);
    for (const id of ids) {
      expect(await direct.getJob(payoutJobId(id))).toBeDefined();
      expect((await getTransfer(t.pool, id))?.published_at).not.toBeNull();
    }
  });

  it('keeps its rows from other relays until its lease runs out, then another relay takes them', async () => {
    const ids = await payouts(2);
    const toxic = await holdRelayBytes();
    const { deps, reached } = whenPublishing(relay('relay-a', { leaseMs: 1_000 }));
    const stuck = publishBatch(deps);
    await reached;
    const other = relay('relay-b', { queue: direct });
    expect(await publishBatch(other)).toBe(0);
    expect(await eventually(() => publishBatch(other))).toBe(2);
    expect(await publishedBy(ids)).toEqual(['relay-b', 'relay-b']);
    // relay-a's publish goes through late: the same job ids, so BullMQ keeps one job per transfer.
    await toxic.remove();
    expect(await stuck).toBe(2);
    expect(await jobsOf(ids)).toBe(2);
  });

  it('takes its own rows again at once after a publish that failed; others wait for the lease', async () => {
    const ids = await payouts(2);
    const cutLink = cut(link);
    await cutLink.inject();
    await expect(publishBatch(relay('relay-a'))).rejects.toThrow();
    await cutLink.heal();
    expect(await publishBatch(relay('relay-b', { queue: direct }))).toBe(0);
    await eventually(async () => relayConnection.status === 'ready');
    expect(await publishBatch(relay('relay-a'))).toBe(2);
    expect(await publishedBy(ids)).toEqual(['relay-a', 'relay-a']);
    for (const id of ids) expect(await direct.getJob(payoutJobId(id))).toBeDefined();
  });
});

/** The relay whose lease each published row carries, in `ids` order. */
async function publishedBy(ids: string[]): Promise<(string | null)[]> {
  const { rows } = await t.pool.query<{ id: string; owner: string | null }>(
    'SELECT id, publish_lease_owner AS owner FROM bank_transfers WHERE id = ANY($1) AND published_at IS NOT NULL',
    [ids],
  );
  return ids.map((id) => rows.find((r) => r.id === id)?.owner ?? null);
}

/** How many of these transfers have their job in the queue. */
async function jobsOf(ids: string[]): Promise<number> {
  const found = await Promise.all(ids.map((id) => direct.getJob(payoutJobId(id))));
  return found.filter(Boolean).length;
}
