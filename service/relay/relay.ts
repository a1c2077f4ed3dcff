import type { JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { Counter, Gauge, Histogram } from 'prom-client';
import { sql } from '../db/sql.ts';
import type { Logger } from '../log.ts';
import { registry } from '../metrics.ts';
import { type PayoutJobData, payoutJobId } from '../queue/queues.ts';

const publishLag = new Histogram({
  name: 'outbox_publish_lag_seconds',
  help: 'Time from a payout commit to its job being published to the queue.',
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  registers: [registry],
});
const published = new Counter({
  name: 'outbox_published_total',
  help: 'Outbox rows published to the payout queue.',
  registers: [registry],
});
const relayErrors = new Counter({
  name: 'outbox_relay_errors_total',
  help: 'Relay batches that failed and were rolled back (rows stay unpublished).',
  registers: [registry],
});

export interface RelayDeps {
  pool: pg.Pool;
  queue: Queue<PayoutJobData>;
  jobOptions: (jobId: string) => JobsOptions;
  batch: number;
  log: Logger;
}

/**
 * Publishes one batch of the outbox: claims rows with SKIP LOCKED (so relays never block each other),
 * adds their jobs with ids derived from the transfer ids, marks them published, commits.
 * If Redis refuses, the transaction rolls back and the rows wait for the next pass. Returns the count.
 */
export async function publishBatch(deps: RelayDeps): Promise<number> {
  const client = await deps.pool.connect();
  // The connection can drop while the transaction waits on Redis, with no query running: pg reports
  // that as an 'error' event, which unheard would crash the relay. Heard, the next query fails, the
  // batch rolls back, and the broken client is thrown away on release.
  let lost: Error | undefined;
  const onLost = (err: Error) => {
    lost = err;
  };
  client.on('error', onLost);
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ id: string; created_at: Date }>(sql('outbox-claim'), [deps.batch]);
    if (rows.length > 0) {
      await deps.queue.addBulk(
        rows.map((r) => ({
          name: 'payout',
          data: { transferId: r.id },
          opts: deps.jobOptions(payoutJobId(r.id)),
        })),
      );
      await client.query(sql('outbox-mark-published'), [rows.map((r) => r.id)]);
    }
    await client.query('COMMIT');
    const now = Date.now();
    for (const r of rows) publishLag.observe((now - r.created_at.getTime()) / 1000);
    published.inc(rows.length);
    return rows.length;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.off('error', onLost);
    client.release(lost);
  }
}

export interface RelayLoopOptions extends RelayDeps {
  databaseUrl: string;
  pollMs: number;
  /** The API's hints after each payout commit (outbox-hint.ts): a connection to subscribe from, and the channel. */
  hints?: { redis: Redis; channel: string };
}

/**
 * Runs the relay until stop(): woken by the API's hints over the queue Redis (payouts) and by NOTIFY
 * bank_transfers (an operator releasing a held payout), with polling as the fallback.
 */
export function startRelayLoop(opts: RelayLoopOptions): { stop(): Promise<void> } {
  let running = true;
  let notified = false;
  let wake: (() => void) | null = null;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (notified) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });

  const onWake = () => {
    notified = true;
    wake?.();
  };
  const listener = listen(opts, onWake);
  const hints = opts.hints ? subscribe(opts.hints, onWake) : null;
  const loop = (async () => {
    let failures = 0;
    while (running) {
      notified = false;
      try {
        const n = await publishBatch(opts);
        failures = 0;
        if (n === opts.batch) continue; // more are waiting
      } catch (err) {
        failures++;
        relayErrors.inc();
        opts.log.warn({ err: (err as Error).message, failures }, 'relay batch failed; rows stay unpublished');
      }
      if (running) await sleep(failures ? Math.min(opts.pollMs * 2 ** failures, 10_000) : opts.pollMs);
    }
  })();

  return {
    async stop() {
      running = false;
      wake?.();
      await loop;
      await listener.close();
      hints?.close();
    },
  };
}

/** A dedicated LISTEN connection that reconnects by itself; missed notifications are covered by polling. */
function listen(opts: RelayLoopOptions, onNotify: () => void): { close(): Promise<void> } {
  let client: pg.Client | null = null;
  let closed = false;
  const connect = async () => {
    if (closed) return;
    const c = new pg.Client({
      connectionString: opts.databaseUrl,
      application_name: 'faultline-relay-listen',
    });
    c.on('notification', onNotify);
    c.on('error', () => {
      c.end().catch(() => {});
      if (client === c) client = null;
      setTimeout(connect, opts.pollMs).unref();
    });
    try {
      await c.connect();
      await c.query('LISTEN bank_transfers');
      client = c;
    } catch {
      c.end().catch(() => {});
      setTimeout(connect, opts.pollMs).unref();
    }
  };
  void connect();
  return {
    async close() {
      closed = true;
      await client?.end().catch(() => {});
    },
  };
}

/**
 * Subscribes to the API's hints on a connection of its own (a subscribed connection can do nothing
 * else), which ioredis reconnects and resubscribes by itself; hints missed meanwhile are covered by polling.
 */
function subscribe(hints: { redis: Redis; channel: string }, onHint: () => void): { close(): void } {
  const sub = hints.redis.duplicate({
    enableOfflineQueue: true,
    maxRetriesPerRequest: null,
    commandTimeout: undefined,
  });
  sub.on('error', () => {});
  sub.on('message', onHint);
  sub.subscribe(hints.channel).catch(() => {});
  return { close: () => sub.disconnect() };
}

/** Rows still waiting for the relay, read at scrape time. */
export function registerOutboxGauge(pool: pg.Pool) {
  new Gauge({
    name: 'outbox_unpublished',
    help: 'Outbox rows committed but not yet published to the queue.',
    registers: [registry],
    async collect() {
      const { rows } = await pool.query<{ n: number }>(sql('outbox-unpublished-count'));
      this.set(rows[0]?.n ?? 0);
    },
  });
}
