import { runClosed } from '../../harness/load/generator.ts';
import { HttpTarget, httpOutcome } from '../../harness/load/http-target.ts';
import { type BenchContext, cpuMeter } from '../context.ts';
import { createPendingPayouts } from '../fixtures.ts';
import { bankCallTotals } from '../probes/service-metrics.ts';
import type { RoundHooks } from '../rounds.ts';
import { keyStem } from '../workloads.ts';

/**
 * Backlog drains: `n` PENDING payouts (what a paused block left, topped up through the service's own
 * payout() function), then relay, worker and recon thawed, timed until the last one is settled. The
 * ideal is the worker's concurrency ÷ the bank-call time the worker saw; with the bank at 0 ms the
 * calls take almost nothing, and the ideal is the bank's own capacity, measured by `bankCapacity` right
 * before the drain (on a shared machine, a capacity measured minutes earlier is another machine's).
 */

/** The service's worker concurrency (config.ts default; the bench does not override it). */
export const WORKER_CONCURRENCY = 50;

export interface DrainDetail {
  n: number;
  bankLatencyMs: number;
  /** Payouts the paused block had left; the rest were created for the drain. */
  fromMeasurements: number;
  seconds: number;
  perS: number;
  /** Mean duration of the worker's bank charges during the drain. */
  bankCallMs: number;
  idealPerS: number;
  ratio: number;
  /** With the bank at 0 ms: its capacity, measured just before (the ideal). */
  bankCapacityPerS?: number;
  failed: number;
  cpuMsPerPayout: Record<string, number>;
}

export const drainFigure = (n: number, bankMs: number) => `drain_${n}_bank_${bankMs}ms`;

/** Drains `n` payouts (the pipeline must be paused with at most n open); see the module comment. */
export async function drainBacklog(
  ctx: BenchContext,
  { n, bankLatencyMs }: { n: number; bankLatencyMs: number },
): Promise<DrainDetail> {
  if (!ctx.pipeline.paused) {
    await ctx.pipeline.settle({ timeoutMs: 180_000 });
    ctx.pipeline.pause();
  }
  const open = await ctx.pipeline.open();
  if (open > n) throw new Error(`a backlog of ${open} exceeds the drain size ${n}`);
  await createPendingPayouts(ctx.db, ctx.fixtures.backlog, n - open);
  const failedBefore = await failedCount(ctx);
  await ctx.bank.setFaults({ latencyMs: bankLatencyMs });
  const capacity = bankLatencyMs === 0 ? await bankCapacity(ctx, Math.min(ctx.opts.shortS, 3)) : undefined;
  const workerUrls = ctx.pipeline.processes.filter((p) => p.role === 'worker').map((p) => p.opsUrl);
  const meter = cpuMeter(ctx);
  ctx.say(`  draining ${n} payouts (${open} left by the paused block) with the bank at ${bankLatencyMs} ms`);
  meter.start();
  const t0 = performance.now();
  ctx.pipeline.resume();
  const calls0 = await bankCallTotals(workerUrls);
  await ctx.pipeline.settle({
    timeoutMs: Math.max(180_000, n * 100),
    progress: (left) => ctx.say(`    ${left} of ${n} still open`),
  });
  const seconds = (performance.now() - t0) / 1000;
  const { cpuMs } = meter.stop();
  const calls1 = await bankCallTotals(workerUrls);
  await ctx.bank.setFaults({ latencyMs: 0 });
  const count = calls1.count - calls0.count;
  const bankCallMs = count > 0 ? ((calls1.sum - calls0.sum) / count) * 1000 : 0;
  const perS = n / seconds;
  const idealPerS = capacity ?? WORKER_CONCURRENCY / (bankCallMs / 1000);
  const cpuMsPerPayout: Record<string, number> = {};
  for (const [k, v] of Object.entries(cpuMs)) cpuMsPerPayout[k] = Math.round((v / n) * 1000) / 1000;
  const detail: DrainDetail = {
    n,
    bankLatencyMs,
    fromMeasurements: open,
    seconds: Math.round(seconds * 100) / 100,
    perS: Math.round(perS * 10) / 10,
    bankCallMs: Math.round(bankCallMs * 100) / 100,
    idealPerS: Math.round(idealPerS * 10) / 10,
    ratio: idealPerS > 0 ? Math.round((perS / idealPerS) * 1000) / 1000 : 0,
    failed: (await failedCount(ctx)) - failedBefore,
    cpuMsPerPayout,
    ...(capacity === undefined ? {} : { bankCapacityPerS: capacity }),
  };
  ctx.say(
    `  ${drainFigure(n, bankLatencyMs).padEnd(34)} ${detail.perS.toFixed(0).padStart(6)}/s  ideal ${detail.idealPerS.toFixed(0)}/s` +
      `  ratio ${detail.ratio}  (bank call ${detail.bankCallMs} ms)`,
  );
  return detail;
}

async function failedCount(ctx: BenchContext): Promise<number> {
  const { rows } = await ctx.db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM bank_transfers WHERE status = 'FAILED'",
  );
  return rows[0]?.n ?? 0;
}

/** A drain's figures under its reserved names (bench/figure-names.ts). */
export function drainFigures(d: DrainDetail): Record<string, number> {
  const stem = drainFigure(d.n, d.bankLatencyMs);
  return { [`${stem}_per_s`]: d.perS, [`${stem}_ratio`]: d.ratio };
}

/** The rounds' drains: round r drains the large backlog at the r-th bank latency (cycling). */
export function roundDrains(ctx: BenchContext, details: DrainDetail[]): RoundHooks {
  return {
    backlogTarget: () => ctx.opts.drainLarge,
    async afterPaused(round) {
      const latencies = ctx.opts.bankLatenciesMs;
      const bankLatencyMs = latencies[round % latencies.length] ?? 0;
      const d = await drainBacklog(ctx, { n: ctx.opts.drainLarge, bankLatencyMs });
      details.push(d);
      if (bankLatencyMs === 0) ctx.known.drain_0ms_per_s = d.perS;
      return drainFigures(d);
    },
  };
}

/**
 * The bank's own capacity: as many concurrent charge requests as the worker keeps in flight, straight
 * to the bank, each with its own key, for `seconds`. The ideal of a drain with the bank at 0 ms.
 */
export async function bankCapacity(ctx: BenchContext, seconds: number): Promise<number> {
  const bank = new HttpTarget(ctx.bankUrl, { maxSockets: WORKER_CONCURRENCY });
  const stem = keyStem('bank-capacity');
  try {
    const r = await runClosed({
      clients: WORKER_CONCURRENCY,
      durationMs: seconds * 1000,
      timeoutMs: 10_000,
      request: (i, signal) =>
        httpOutcome(
          bank.call({
            method: 'POST',
            path: '/v1/charges',
            headers: { 'idempotency-key': `${stem}-${i}` },
            json: { amount: 1, currency: 'USD', reference: `${stem}-${i}`, destination: 'IBAN-BENCH' },
            signal,
          }),
          [201],
        ),
    });
    const perS = Math.round(((r.ok * 1000) / Math.max(r.elapsedMs, 1)) * 10) / 10;
    ctx.say(`  bank capacity: ${perS.toFixed(0)} charges/s with ${WORKER_CONCURRENCY} in flight`);
    return perS;
  } finally {
    bank.close();
  }
}
