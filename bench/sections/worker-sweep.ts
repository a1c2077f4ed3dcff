import { Queue } from 'bullmq';
import { loadConfig } from '../../service/config.ts';
import { sql } from '../../service/db/sql.ts';
import {
  PAYOUTS_QUEUE,
  type PayoutJobData,
  payoutJobId,
  payoutJobOptions,
} from '../../service/queue/queues.ts';
import type { ServiceHandle } from '../../stack/index.ts';
import { type BenchContext, cpuMeter } from '../context.ts';
import { createPendingPayouts } from '../fixtures.ts';
import { bankCallTotals, eventLoopLagP99, metricsReady } from '../probes/service-metrics.ts';
import type { Section } from '../section.ts';

/**
 * Why worker concurrency 50 (design sheet, jobs-6): one worker process per level, the bank answering
 * in 50 ms, each level timed on a backlog of its own. Every level's worker starts at once, each on a
 * queue of its own (QUEUE_PREFIX bench-sweep-c<n>), while the pipeline is frozen; for each level the
 * harness plays the relay — it creates PENDING payouts through payout(), adds their jobs to that level's
 * queue with the relay's job options and marks them published with the relay's SQL — and times the
 * level's worker until every one is settled. Idle workers wait on their own queues, so no start-up is
 * timed and no two workers ever share a backlog. The levels run up, then down (two passes; one with
 * --quick), and each level reports the mean of its passes.
 */

export interface SweepPoint {
  concurrency: number;
  payouts: number;
  seconds: number;
  settledPerS: number;
  /** Concurrency ÷ the bank-call time this worker saw: what it could do if nothing else limited it. */
  idealPerS: number;
  bankCallMs: number;
  /** CPU of the worker process, and of everything, per settled payout. */
  workerCpuMsPerPayout: number;
  allCpuMsPerPayout: number;
  /** Share of one core the worker used. */
  workerCpuPct: number;
  eventLoopLagMsP99: number;
  /** Commands the queue Redis processed per second (BullMQ's traffic). */
  redisOpsPerS: number;
}

const KNEE_SHARE = 0.9;
/** The service's defaults: the job options the relay gives every payout job. */
const DEFAULTS = loadConfig({});

/** The smallest concurrency that reaches 90 % of the best settle rate. */
export function kneeOf(points: readonly SweepPoint[]): number {
  const best = Math.max(...points.map((p) => p.settledPerS));
  return points.find((p) => p.settledPerS >= KNEE_SHARE * best)?.concurrency ?? 0;
}

async function redisCommands(ctx: BenchContext): Promise<number> {
  const text = await ctx.redis.info('stats');
  return Number(/^total_commands_processed:(\d+)/m.exec(text)?.[1] ?? 0);
}

/** The level's queue, as its worker sees it. */
const sweepPrefix = (c: number) => `bench-sweep-c${c}`;

async function measureLevel(ctx: BenchContext, worker: ServiceHandle, c: number): Promise<SweepPoint> {
  const bankMs = ctx.opts.sweepBankMs;
  // Sized to keep this level busy for about sweepWindowS: its ideal rate, capped by what the pipeline
  // drained at 0 ms (a level cannot beat that), never fewer than 20 payouts.
  const capacity = ctx.known.drain_0ms_per_s ?? 300;
  const expected = Math.min((c * 1000) / (bankMs + 5), capacity);
  const n = Math.max(20, Math.round(expected * ctx.opts.sweepWindowS));
  const ids = await createPendingPayouts(ctx.db, ctx.fixtures.backlog, n);
  const queue = new Queue<PayoutJobData>(PAYOUTS_QUEUE, { connection: ctx.redis, prefix: sweepPrefix(c) });
  try {
    const meter = cpuMeter(ctx);
    const redis0 = await redisCommands(ctx);
    // Also starts the worker's event-loop histogram afresh (prom-client resets it on every scrape).
    const calls0 = await bankCallTotals([worker.opsUrl]);
    meter.start();
    const t0 = performance.now();
    await queue.addBulk(
      ids.map((id) => ({
        name: 'payout',
        data: { transferId: id },
        opts: payoutJobOptions(DEFAULTS, payoutJobId(id)),
      })),
    );
    await ctx.db.query(sql('outbox-mark-published'), [ids]);
    await ctx.pipeline.settle({ timeoutMs: 180_000, resume: false });
    const seconds = (performance.now() - t0) / 1000;
    const { cpuMs, wallMs } = meter.stop();
    const lag = await eventLoopLagP99(worker.opsUrl);
    const calls1 = await bankCallTotals([worker.opsUrl]);
    const redis1 = await redisCommands(ctx);
    const calls = calls1.count - calls0.count;
    const bankCallMs = calls > 0 ? ((calls1.sum - calls0.sum) / calls) * 1000 : bankMs;
    const all = Object.values(cpuMs).reduce((a, b) => a + b, 0);
    const r2 = (x: number) => Math.round(x * 100) / 100;
    return {
      concurrency: c,
      payouts: n,
      seconds: r2(seconds),
      settledPerS: Math.round((n / seconds) * 10) / 10,
      idealPerS: Math.round((c / (bankCallMs / 1000)) * 10) / 10,
      bankCallMs: r2(bankCallMs),
      workerCpuMsPerPayout: r2((cpuMs.worker ?? 0) / n),
      allCpuMsPerPayout: r2(all / n),
      workerCpuPct: Math.round(((cpuMs.worker ?? 0) / wallMs) * 100),
      eventLoopLagMsP99: lag,
      redisOpsPerS: Math.round((redis1 - redis0) / seconds),
    };
  } finally {
    await queue.close();
  }
}

export const workerSweepSection: Section = {
  name: 'worker_concurrency',
  title: 'Worker concurrency sweep',
  estimateS: (o) => 15 + o.sweepPasses * o.sweepLevels.length * (o.sweepWindowS + 1),
  async once(ctx) {
    const levels = ctx.opts.sweepLevels;
    await ctx.pipeline.settle({ timeoutMs: 180_000 });
    ctx.pipeline.pause();
    ctx.say(
      `  starting ${levels.length} workers (concurrency ${levels.join(', ')}), each on its own queue; bank at ${ctx.opts.sweepBankMs} ms`,
    );
    const workers = await Promise.all(
      levels.map((c) =>
        ctx.stack.startService('worker', {
          name: `worker-c${c}`,
          env: { WORKER_CONCURRENCY: String(c), QUEUE_PREFIX: sweepPrefix(c) },
        }),
      ),
    );
    await Promise.all(workers.map((w) => metricsReady(w.opsUrl)));
    await ctx.bank.setFaults({ latencyMs: ctx.opts.sweepBankMs });
    const passes: SweepPoint[][] = [];
    try {
      // Up, then down: a machine that gets busier during the sweep weighs on every level alike.
      for (let pass = 0; pass < ctx.opts.sweepPasses; pass++) {
        const order = pass % 2 === 0 ? [...levels.keys()] : [...levels.keys()].reverse();
        const measured: SweepPoint[] = [];
        for (const i of order) {
          const c = levels[i] as number;
          const p = await measureLevel(ctx, workers[i] as ServiceHandle, c);
          measured.push(p);
          ctx.say(
            `  concurrency ${String(c).padStart(3)}: ${p.settledPerS.toFixed(0).padStart(5)} settled/s (ideal ${p.idealPerS.toFixed(0)})` +
              `  worker cpu ${p.workerCpuPct}%  lag p99 ${p.eventLoopLagMsP99} ms  redis ${p.redisOpsPerS} ops/s`,
          );
        }
        passes.push(measured.sort((a, b) => a.concurrency - b.concurrency));
      }
    } finally {
      await ctx.bank.setFaults({ latencyMs: 0 });
      await Promise.all(workers.map((w) => w.stop()));
      ctx.pipeline.resume();
    }
    const points = levels.map((_, i) => meanPoint(passes.map((pass) => pass[i] as SweepPoint)));
    const figures: Record<string, number> = { worker_concurrency_knee: kneeOf(points) };
    for (const p of points) {
      const stem = `worker_concurrency_${p.concurrency}`;
      figures[`${stem}_settled_per_s`] = p.settledPerS;
      figures[`${stem}_cpu_ms_per_payout`] = p.workerCpuMsPerPayout;
      figures[`${stem}_event_loop_lag_ms_p99`] = p.eventLoopLagMsP99;
      figures[`${stem}_redis_ops_per_s`] = p.redisOpsPerS;
    }
    return {
      figures,
      findings: { worker_concurrency_50: verdictOn50(points) },
      detail: { bankLatencyMs: ctx.opts.sweepBankMs, points, passes },
    };
  },
};

/** The mean of one level's passes, field by field. */
function meanPoint(ps: readonly SweepPoint[]): SweepPoint {
  const mean = (f: (p: SweepPoint) => number) =>
    Math.round((ps.reduce((a, p) => a + f(p), 0) / ps.length) * 10) / 10;
  return {
    concurrency: ps[0]?.concurrency ?? 0,
    payouts: ps.reduce((a, p) => a + p.payouts, 0),
    seconds: mean((p) => p.seconds),
    settledPerS: mean((p) => p.settledPerS),
    idealPerS: mean((p) => p.idealPerS),
    bankCallMs: mean((p) => p.bankCallMs),
    workerCpuMsPerPayout: mean((p) => p.workerCpuMsPerPayout),
    allCpuMsPerPayout: mean((p) => p.allCpuMsPerPayout),
    workerCpuPct: Math.round(mean((p) => p.workerCpuPct)),
    eventLoopLagMsP99: mean((p) => p.eventLoopLagMsP99),
    redisOpsPerS: Math.round(mean((p) => p.redisOpsPerS)),
  };
}

/** A level within this share of the best rate is on the plateau: closer than a busy machine can tell. */
const PLATEAU_SHARE = 0.75;

/** Whether 50 is justified, in words, from the points. */
export function verdictOn50(points: readonly SweepPoint[]): string {
  const at50 = points.find((p) => p.concurrency === 50);
  if (!at50 || points.length === 0) return 'not measured: the sweep did not include 50';
  const best = points.reduce((a, b) => (b.settledPerS > a.settledPerS ? b : a));
  const knee = kneeOf(points);
  const plateau = points.find((p) => p.settledPerS >= PLATEAU_SHARE * best.settledPerS)?.concurrency ?? knee;
  const share = Math.round((at50.settledPerS / best.settledPerS) * 100);
  const limit =
    at50.settledPerS < 0.5 * at50.idealPerS
      ? `at 50 the bank is not the limit (${at50.settledPerS}/s of an ideal ${at50.idealPerS}/s): the pipeline's CPU is`
      : 'at 50 the bank latency is still the limit';
  const verdict =
    share >= PLATEAU_SHARE * 100
      ? `justified as headroom: 50 is on the plateau (${share}% of the best, ${best.settledPerS}/s at ${best.concurrency}), which starts at ${plateau} (knee at 90 %: ${knee})`
      : knee > 50
        ? `too low here: the rate still grows past 50 (knee at ${knee}; 50 gives ${share}% of the best, ${best.settledPerS}/s at ${best.concurrency})`
        : `more than needed: the plateau starts at ${plateau}, and 50 gives only ${share}% of the best rate (${best.settledPerS}/s at ${best.concurrency})`;
  return `${verdict}; ${limit}; event-loop lag p99 ${at50.eventLoopLagMsP99} ms at 50`;
}
