import { runOpen } from '../../harness/load/generator.ts';
import { constantRate } from '../../harness/load/schedule.ts';
import { BankClient } from '../../service/bank/client.ts';
import { type BenchContext, cpuMeter } from '../context.ts';
import { createPendingPayouts } from '../fixtures.ts';
import { PgQueueConsumer } from '../pg-queue-consumer.ts';
import { drainEstimateS, type Section } from '../section.ts';
import { median } from '../summary.ts';
import { keyStem, postPayout } from '../workloads.ts';
import { WORKER_CONCURRENCY } from './drain.ts';

/**
 * Postgres alone vs Postgres + Redis (design sheet, general-1): the same outbox worked off by the
 * service's relay → BullMQ → worker, and by a Postgres-only queue (bench/pg-queue-consumer.ts: SKIP
 * LOCKED claims, the same bank call and settle, as many in flight as the worker's concurrency), legs
 * alternating (bullmq, pg, bullmq, pg …), the bank at 0 ms. Per leg: a backlog drain (settled/s; CPU
 * of every process and WAL bytes per payout), then a steady trickle through the API (commit-to-settle
 * latency p50/p99 from each row's created_at and completed_at).
 */

type Leg = 'bullmq' | 'pg_queue';

interface LegResult {
  leg: Leg;
  drainPerS: number;
  cpuMsPerPayout: number;
  postgresCpuMsPerPayout: number;
  walBytesPerPayout: number;
  commitToSettleMsP50: number;
  commitToSettleMsP99: number;
}

const TRICKLE_PER_S = 50;

async function walLsn(ctx: BenchContext): Promise<string> {
  const { rows } = await ctx.db.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
  return rows[0]?.lsn ?? '0/0';
}

async function walBytesSince(ctx: BenchContext, lsn: string): Promise<number> {
  const { rows } = await ctx.db.query<{ b: string }>(
    'SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1) AS b',
    [lsn],
  );
  return Number(rows[0]?.b ?? 0);
}

/** Runs `work` with the leg's consumer on; with the Postgres queue, the relay/worker/recon stay frozen. */
async function withConsumer(ctx: BenchContext, leg: Leg, work: () => Promise<void>): Promise<void> {
  if (leg === 'bullmq') {
    ctx.pipeline.resume();
    try {
      await work();
    } finally {
      await ctx.pipeline.settle({ timeoutMs: 180_000 });
      ctx.pipeline.pause();
    }
    return;
  }
  // The service's own bank client, as the BullMQ worker it is compared with charges through.
  const bank = new BankClient({ baseUrl: ctx.bankUrl, timeoutMs: 10_000 });
  const consumer = new PgQueueConsumer(ctx.db, bank, WORKER_CONCURRENCY);
  consumer.start();
  try {
    await work();
  } finally {
    await consumer.stop();
    bank.close();
  }
  if (consumer.errors.length > 0) {
    throw new Error(
      `the Postgres-only queue failed ${consumer.errors.length} time(s): ${consumer.errors[0]}`,
    );
  }
}

async function runLeg(ctx: BenchContext, leg: Leg, n: number, trickleS: number): Promise<LegResult> {
  if (!ctx.pipeline.paused) {
    await ctx.pipeline.settle({ timeoutMs: 180_000 });
    ctx.pipeline.pause();
  }
  await createPendingPayouts(ctx.db, ctx.fixtures.backlog, n);
  const meter = cpuMeter(ctx);
  const wal0 = await walLsn(ctx);
  meter.start();
  const t0 = performance.now();
  let drainS = 0;
  let trickleFrom = '';
  await withConsumer(ctx, leg, async () => {
    await ctx.pipeline.settle({ timeoutMs: Math.max(180_000, n * 100), resume: false });
    drainS = (performance.now() - t0) / 1000;
  });
  const { cpuMs } = meter.stop();
  const walBytes = await walBytesSince(ctx, wal0);
  const payers = ctx.fixtures.payers;
  const stem = keyStem(`pg-queue-${leg}`);
  await withConsumer(ctx, leg, async () => {
    trickleFrom = (await ctx.db.query<{ t: string }>('SELECT now()::text AS t')).rows[0]?.t ?? '';
    const r = await runOpen({
      plan: constantRate(TRICKLE_PER_S, trickleS),
      maxInFlight: 64,
      timeoutMs: 10_000,
      request: (i, signal) => {
        const user = payers[i % payers.length];
        if (!user) throw new Error('no payer');
        return postPayout(ctx.api, user, user.accounts[0] as string, `${stem}-${i}`, signal);
      },
    });
    if (r.ok === 0) throw new Error(`the ${leg} trickle had no accepted payout`);
    await ctx.pipeline.settle({ timeoutMs: 60_000, resume: false });
  });
  const { rows } = await ctx.db.query<{ p50: number; p99: number }>(
    `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99
       FROM (SELECT extract(epoch FROM completed_at - created_at) * 1000 AS ms
               FROM bank_transfers
              WHERE created_at >= $1::timestamptz AND status = 'SETTLED') s`,
    [trickleFrom],
  );
  const total = Object.values(cpuMs).reduce((a, b) => a + b, 0);
  const result: LegResult = {
    leg,
    drainPerS: Math.round((n / drainS) * 10) / 10,
    cpuMsPerPayout: Math.round((total / n) * 1000) / 1000,
    postgresCpuMsPerPayout: Math.round(((cpuMs.postgres ?? 0) / n) * 1000) / 1000,
    walBytesPerPayout: Math.round(walBytes / n),
    commitToSettleMsP50: Math.round((rows[0]?.p50 ?? 0) * 10) / 10,
    commitToSettleMsP99: Math.round((rows[0]?.p99 ?? 0) * 10) / 10,
  };
  ctx.say(
    `  ${leg.padEnd(8)} drain ${result.drainPerS.toFixed(0)}/s · ${result.cpuMsPerPayout} ms CPU/payout ` +
      `(postgres ${result.postgresCpuMsPerPayout}) · ${result.walBytesPerPayout} WAL bytes/payout · ` +
      `commit→settle p50 ${result.commitToSettleMsP50} ms p99 ${result.commitToSettleMsP99} ms`,
  );
  return result;
}

/** Figure names per leg (unit last); bench/figure-names.ts lists them. */
export const PG_QUEUE_LEG_FIGURES = [
  'drain_per_s',
  'cpu_ms_per_payout',
  'cpu_ms_per_payout_postgres',
  'wal_bytes_per_payout',
  'commit_to_settle_ms_p50',
  'commit_to_settle_ms_p99',
] as const;
export const PG_QUEUE_LEGS: readonly Leg[] = ['bullmq', 'pg_queue'];

const round3 = (x: number) => Math.round(x * 1000) / 1000;

export const pgQueueSection: Section = {
  name: 'pg_queue',
  title: 'Postgres alone vs Postgres + Redis: the outbox worked off by BullMQ and by a SKIP LOCKED queue',
  // Two pairs of legs (one with --quick), each a small drain and a trickle.
  estimateS: (o) => (o.quick ? 2 : 4) * (drainEstimateS(o.drainSmall) + o.shortS + 3),
  async once(ctx) {
    const pairs = ctx.opts.quick ? 1 : 2;
    const n = ctx.opts.drainSmall;
    const trickleS = ctx.opts.shortS;
    const legs: LegResult[] = [];
    for (let p = 0; p < pairs; p++) {
      for (const leg of PG_QUEUE_LEGS) legs.push(await runLeg(ctx, leg, n, trickleS));
    }
    const figures: Record<string, number> = {};
    const med = (leg: Leg, pick: (r: LegResult) => number) =>
      round3(median(legs.filter((r) => r.leg === leg).map(pick)));
    for (const leg of PG_QUEUE_LEGS) {
      figures[`${leg}_drain_per_s`] = med(leg, (r) => r.drainPerS);
      figures[`${leg}_cpu_ms_per_payout`] = med(leg, (r) => r.cpuMsPerPayout);
      figures[`${leg}_cpu_ms_per_payout_postgres`] = med(leg, (r) => r.postgresCpuMsPerPayout);
      figures[`${leg}_wal_bytes_per_payout`] = med(leg, (r) => r.walBytesPerPayout);
      figures[`${leg}_commit_to_settle_ms_p50`] = med(leg, (r) => r.commitToSettleMsP50);
      figures[`${leg}_commit_to_settle_ms_p99`] = med(leg, (r) => r.commitToSettleMsP99);
    }
    const bull = figures.bullmq_drain_per_s ?? 0;
    const ratio = bull > 0 ? Math.round(((figures.pg_queue_drain_per_s ?? 0) / bull) * 1000) / 1000 : 0;
    figures.pg_queue_vs_bullmq_settle_ratio = ratio;
    const finding =
      `a SKIP LOCKED queue in Postgres settled ${ratio}× BullMQ's rate (${figures.pg_queue_drain_per_s}/s vs ${bull}/s) ` +
      `at ${figures.pg_queue_cpu_ms_per_payout} vs ${figures.bullmq_cpu_ms_per_payout} ms of CPU per payout ` +
      `(Postgres ${figures.pg_queue_cpu_ms_per_payout_postgres} vs ${figures.bullmq_cpu_ms_per_payout_postgres}) and ` +
      `${figures.pg_queue_wal_bytes_per_payout} vs ${figures.bullmq_wal_bytes_per_payout} WAL bytes; ` +
      'it has no retries with backoff, stalled-job takeover or dead-letter queue, which BullMQ brings';
    return { figures, findings: { postgres_only_queue: finding }, detail: { legs } };
  },
};
