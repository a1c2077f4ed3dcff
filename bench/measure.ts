import type { LatencySummary } from '../harness/load/histogram.ts';
import { apiOpsUrls, type BenchContext, cpuMeter } from './context.ts';
import { type WaitSample, WaitSampler, walDelta, walSnapshot } from './probes/postgres.ts';
import { LockProbe } from './probes/service-metrics.ts';

/**
 * One measurement of the A/B rounds, and the window every measurement is observed through: CPU of
 * every process from /proc, WAL and its flushes from pg_stat_wal, sampled wait events from
 * pg_stat_activity, the api's row-lock histograms, and, with the pipeline running, what it settled.
 */

/** Where a measurement needs the relay, workers and recon: running, frozen, or either. */
export type PipelineNeed = 'running' | 'paused' | 'any';

export interface MeasureLimits {
  durationS: number;
  /** A paused measurement stops after this many payouts, so its backlog fits the drain that follows. */
  maxRequests?: number;
}

export interface Measurement {
  /** Figure stem: `<name>_per_s`, `<name>_latency_ms_p99`, … (e.g. `hot_api_db_payouts`). */
  name: string;
  /** What it is, for the table and result.json. */
  label: string;
  pipeline: PipelineNeed;
  /** Runs at `short` (pgbench, idempotency: half of --duration) or the full duration. */
  length: 'full' | 'short';
  run(ctx: BenchContext, limits: MeasureLimits): Promise<MeasureResult>;
  /** More figures from one result, e.g. the CPU per payout of each process. */
  figures?(r: MeasureResult): Record<string, number>;
}

/** Counts the load generator (or pgbench) reports for a window. */
export interface LoadCounts {
  ok: number;
  errors: number;
  errorKinds: Record<string, number>;
  /** Rate of successful operations, as the tool measured it. */
  perS: number;
  latency: LatencySummary;
  /** CPU of an extra process outside the stack (pgbench's client), by name. */
  extraCpuMs?: Record<string, number>;
}

export interface MeasureResult extends LoadCounts {
  name: string;
  wallMs: number;
  /** CPU ms per successful operation, by process; `all` is their sum. */
  cpuMsPerOp: Record<string, number>;
  /** Share of one core each process used (100 = one core busy). */
  cpuPct: Record<string, number>;
  walBytesPerOp: number;
  fsyncsPerOp: number;
  waits: WaitSample;
  lockMs: { waitP50: number; waitP99: number; holdP50: number; holdP99: number };
  /** With the pipeline running: payouts settled in the window, and open payouts before and after. */
  settled?: { count: number; perS: number; openBefore: number; openAfter: number };
}

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Runs `work` inside an observed window. */
export async function observe(
  ctx: BenchContext,
  name: string,
  work: () => Promise<LoadCounts>,
  { settled = false }: { settled?: boolean } = {},
): Promise<MeasureResult> {
  const meter = cpuMeter(ctx);
  const waits = new WaitSampler(ctx.db);
  const locks = new LockProbe(() => apiOpsUrls(ctx));
  await locks.start();
  const wal0 = await walSnapshot(ctx.db);
  const before = settled ? await settledSnapshot(ctx) : undefined;
  waits.start();
  meter.start();
  const counts = await work();
  const { cpuMs, wallMs } = meter.stop();
  const waited = waits.stop();
  const wal = walDelta(wal0, await walSnapshot(ctx.db));
  const lockMs = await locks.stop();
  const after = settled ? await settledSnapshot(ctx) : undefined;
  for (const [k, v] of Object.entries(counts.extraCpuMs ?? {})) cpuMs[k] = (cpuMs[k] ?? 0) + v;

  const ops = Math.max(counts.ok, 1);
  const cpuMsPerOp: Record<string, number> = {};
  const cpuPct: Record<string, number> = {};
  let all = 0;
  for (const [k, v] of Object.entries(cpuMs)) {
    cpuMsPerOp[k] = round(v / ops);
    cpuPct[k] = Math.round((v / wallMs) * 100);
    all += v;
  }
  cpuMsPerOp.all = round(all / ops);
  cpuPct.all = Math.round((all / wallMs) * 100);
  const { extraCpuMs: _extra, ...load } = counts;
  return {
    name,
    ...load,
    wallMs: Math.round(wallMs),
    cpuMsPerOp,
    cpuPct,
    walBytesPerOp: Math.round(wal.bytes / ops),
    fsyncsPerOp: round(wal.syncs / ops),
    waits: waited,
    lockMs,
    ...(before && after
      ? {
          settled: {
            count: after.settled - before.settled,
            perS: round(((after.settled - before.settled) * 1000) / wallMs, 1),
            openBefore: before.open,
            openAfter: after.open,
          },
        }
      : {}),
  };
}

async function settledSnapshot(ctx: BenchContext): Promise<{ settled: number; open: number }> {
  const { rows } = await ctx.db.query<{ settled: number; open: number }>(
    `SELECT count(*) FILTER (WHERE status = 'SETTLED')::int AS settled,
            count(*) FILTER (WHERE status IN ('PENDING', 'PROCESSING'))::int AS open
       FROM bank_transfers`,
  );
  return rows[0] ?? { settled: 0, open: 0 };
}

/** The figures every measurement reports: rate, latency and errors under its stem. */
export function baseFigures(m: Measurement, r: MeasureResult): Record<string, number> {
  return {
    [`${m.name}_per_s`]: round(r.perS, 1),
    [`${m.name}_latency_ms_p50`]: r.latency.p50,
    [`${m.name}_latency_ms_p99`]: r.latency.p99,
    [`${m.name}_latency_ms_max`]: r.latency.max,
    [`${m.name}_errors`]: r.errors,
  };
}
