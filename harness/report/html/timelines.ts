/**
 * The report's timelines, as plain data for the page's charts: operations/s by outcome and latency from
 * the history (exact, client-side), lock wait, queue depth and money in flight from the runner's samples.
 * x is seconds since the run started, the clock of the history and the fault windows.
 */

import { quantile } from '../../client/metrics-scrape.ts';
import type { FaultWindow } from '../../core/fault-window.ts';
import type { Completed } from '../../core/history.ts';
import type { RoleInterval } from '../../core/role-timeline.ts';
import type { Sample } from '../../core/sample.ts';
import { sampledHistogram } from '../../runner/sampler.ts';
import { noPrimaryBands, primaryChart } from './role-lanes.ts';

export interface Series {
  label: string;
  /** A CSS colour. */
  color: string;
  /** One value per x; null is a gap (nothing happened, or nothing answered). */
  values: Array<number | null>;
  /** Drawn against the right-hand axis (a second unit). */
  right?: boolean;
}

export interface Chart {
  id: string;
  title: string;
  /** What a value means, with its unit: "operations per second", "ms". */
  unit: string;
  /** The right-hand axis's unit, when a series uses it. */
  rightUnit?: string;
  /** Logarithmic y axis (latencies spanning 0.1 ms to seconds). */
  log?: boolean;
  x: number[];
  series: Series[];
  /** Shown instead of the chart when no series has a value. */
  empty: string;
}

export interface FaultBand {
  from: number;
  /** null: never healed (the run ended first). */
  to: number | null;
  label: string;
}

export interface Timelines {
  /** Seconds: the x axis, from shortly before the first activity (the stack's start-up is left out). */
  start: number;
  end: number;
  charts: Chart[];
  faults: FaultBand[];
  /** A failover scenario's stretches without a primary (role-lanes.ts). */
  failovers: FaultBand[];
}

const COLORS = {
  ok: '#2a9d5c',
  fail: '#d98c1f',
  info: '#8e44ad',
  p50: '#2b6cb0',
  p99: '#b83280',
  waiting: '#2b6cb0',
  active: '#2a9d5c',
  delayed: '#d98c1f',
  amount: '#b7791f',
  transfers: '#4a5568',
};

const round = (n: number, digits = 3) => Number(n.toFixed(digits));

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/** Operations per second by outcome, and latency p50/p99, in buckets of `bucketMs` by completion time. */
function historyCharts(ops: Completed[], start: number, end: number, bucketMs: number): Chart[] {
  const n = Math.max(1, Math.ceil((end - start) / bucketMs));
  const x = Array.from({ length: n }, (_, i) => round((start + (i + 1) * bucketMs) / 1000));
  const counts = { ok: new Array(n).fill(0), fail: new Array(n).fill(0), info: new Array(n).fill(0) };
  const latencies: number[][] = Array.from({ length: n }, () => []);
  for (const op of ops) {
    if (op.completedAt === null) continue;
    if (op.completedAt < start) continue;
    const i = Math.min(n - 1, Math.floor((op.completedAt - start) / bucketMs));
    counts[op.type][i]++;
    (latencies[i] as number[]).push(op.completedAt - op.invokedAt);
  }
  const any = latencies.some((l) => l.length > 0);
  // Zero is a measurement only once something completed: a run without operations has no timeline.
  const perSecond = (c: number[]) => c.map((v) => (any ? round((v * 1000) / bucketMs, 2) : null));
  const sorted = latencies.map((l) => l.sort((a, b) => a - b));
  const q = (p: number) => sorted.map((l) => (l.length ? round(Math.max(percentile(l, p), 0.001)) : null));
  return [
    {
      id: 'ops',
      title: 'Operations by outcome',
      unit: 'operations per second',
      x,
      series: [
        { label: 'accepted (ok)', color: COLORS.ok, values: perSecond(counts.ok) },
        { label: 'refused (fail)', color: COLORS.fail, values: perSecond(counts.fail) },
        { label: 'unknown (info)', color: COLORS.info, values: perSecond(counts.info) },
      ],
      empty: 'No operation completed in this run.',
    },
    {
      id: 'latency',
      title: 'Latency seen by the clients',
      unit: 'ms',
      log: true,
      x,
      series: [
        { label: 'p50', color: COLORS.p50, values: q(0.5) },
        { label: 'p99', color: COLORS.p99, values: q(0.99) },
      ],
      empty: 'No operation completed in this run.',
    },
  ];
}

/** Row-lock wait p50/p99 between consecutive samples, from the API processes' cumulative histograms. */
function lockWaitValues(samples: Sample[]): { p50: Array<number | null>; p99: Array<number | null> } {
  const p50: Array<number | null> = [];
  const p99: Array<number | null> = [];
  let prev: Sample['lockWait'] = null;
  for (const s of samples) {
    const cur = s.lockWait;
    let a: number | null = null;
    let b: number | null = null;
    if (cur && prev && cur.count > prev.count) {
      const before = new Map(prev.buckets);
      const delta = sampledHistogram({
        buckets: cur.buckets.map(([le, c]) => [le, c - (before.get(le) ?? 0)]),
        count: cur.count - prev.count,
        sum: cur.sum - prev.sum,
      });
      a = round(Math.max(quantile(delta, 0.5) * 1000, 0.001));
      b = round(Math.max(quantile(delta, 0.99) * 1000, 0.001));
    }
    p50.push(a);
    p99.push(b);
    // A process restarted (counts went down) starts a new baseline.
    if (cur) prev = cur;
  }
  return { p50, p99 };
}

function sampleCharts(samples: Sample[]): Chart[] {
  const x = samples.map((s) => round(s.t / 1000));
  const lock = lockWaitValues(samples);
  const queue = (k: 'waiting' | 'active' | 'delayed') => samples.map((s) => (s.queue ? s.queue[k] : null));
  return [
    {
      id: 'lock-wait',
      title: 'Row-lock wait of money operations (between samples)',
      unit: 'ms',
      log: true,
      x,
      series: [
        { label: 'p50', color: COLORS.p50, values: lock.p50 },
        { label: 'p99', color: COLORS.p99, values: lock.p99 },
      ],
      empty:
        'No money operation waited for a row lock in this run (it takes none, or its API was never sampled).',
    },
    {
      id: 'queue',
      title: 'Payout queue depth',
      unit: 'jobs',
      x,
      series: [
        { label: 'waiting', color: COLORS.waiting, values: queue('waiting') },
        { label: 'active', color: COLORS.active, values: queue('active') },
        { label: 'delayed (backoff)', color: COLORS.delayed, values: queue('delayed') },
      ],
      empty: 'The queue Redis never answered a sample.',
    },
    {
      id: 'in-flight',
      title: 'Money in flight (debited, not yet settled or refunded)',
      unit: '¢ (minor units)',
      rightUnit: 'transfers',
      x,
      series: [
        {
          label: 'amount',
          color: COLORS.amount,
          values: samples.map((s) => (s.inFlight ? s.inFlight.amountCents : null)),
        },
        {
          label: 'transfers',
          color: COLORS.transfers,
          values: samples.map((s) => (s.inFlight ? s.inFlight.transfers : null)),
          right: true,
        },
      ],
      empty: 'Postgres never answered a sample.',
    },
  ];
}

function faultLabel(f: FaultWindow): string {
  return `${f.kind} ${f.target}`;
}

/**
 * All timelines of a run. Buckets are 1 s, or shorter for a run of under a minute of operations so a
 * burst of a few seconds still shows its shape.
 */
export function buildTimelines(input: {
  ops: Completed[];
  samples: Sample[];
  faults: FaultWindow[];
  roles?: RoleInterval[];
}): Timelines {
  // Folded, not spread: a history of a hundred thousand ops overflows the stack as arguments.
  const fold = (values: Iterable<number>, pick: (a: number, b: number) => number, start: number) => {
    let acc = start;
    for (const v of values) acc = pick(acc, v);
    return acc;
  };
  const lastOp = fold(
    input.ops.map((o) => o.completedAt ?? o.invokedAt),
    Math.max,
    0,
  );
  const lastSample = input.samples.at(-1)?.t ?? 0;
  const endMs = fold(
    input.faults.map((f) => f.endedAt ?? f.startedAt),
    Math.max,
    Math.max(lastOp, lastSample, 1),
  );
  const firstMs = fold(
    [
      ...input.ops.map((o) => o.invokedAt),
      ...input.samples.map((s) => s.t),
      ...input.faults.map((f) => f.startedAt),
    ],
    Math.min,
    endMs,
  );
  const bucketMs = endMs - firstMs < 60_000 ? 500 : 1_000;
  const startMs = Math.max(0, Math.floor((firstMs - 1_000) / bucketMs) * bucketMs);
  return {
    start: round(startMs / 1000),
    end: round(endMs / 1000),
    charts: [
      ...primaryChart(input.roles ?? [], round(startMs / 1000), round(endMs / 1000)),
      ...historyCharts(input.ops, startMs, endMs, bucketMs),
      ...sampleCharts(input.samples),
    ],
    faults: input.faults.map((f) => ({
      from: round(f.startedAt / 1000),
      to: f.endedAt === null ? null : round(f.endedAt / 1000),
      label: faultLabel(f),
    })),
    failovers: noPrimaryBands(input.roles ?? []),
  };
}

/** Whether a chart has anything to draw. */
export function hasData(chart: Chart): boolean {
  return chart.series.some((s) => s.values.some((v) => v !== null));
}
