import type { MeasureResult } from './measure.ts';
import type { RatioDef, RoundReport } from './rounds.ts';

/** From rounds to the summary: medians and min–max of every per-round figure, and what limits a path. */

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** Median and [min, max] of every figure over the rounds that have it. */
export function summarizeRounds(rounds: readonly RoundReport[]): {
  figures: Record<string, number>;
  ranges: Record<string, [number, number]>;
} {
  const values = new Map<string, number[]>();
  for (const r of rounds) {
    for (const [k, v] of Object.entries(r.figures)) values.set(k, [...(values.get(k) ?? []), v]);
  }
  const figures: Record<string, number> = {};
  const ranges: Record<string, [number, number]> = {};
  for (const [k, vs] of values) {
    figures[k] = round3(median(vs));
    ranges[k] = [Math.min(...vs), Math.max(...vs)];
  }
  return { figures, ranges };
}

/** Each ratio per round, with its median and min–max. */
export function ratioTable(rounds: readonly RoundReport[], ratios: readonly RatioDef[]) {
  return ratios
    .map((def) => {
      const perRound = rounds.map((r) => r.figures[def.name]).filter((v): v is number => v !== undefined);
      return {
        ...def,
        perRound,
        median: round3(median(perRound)),
        min: Math.min(...perRound),
        max: Math.max(...perRound),
      };
    })
    .filter((r) => r.perRound.length > 0);
}

/** Node processes run one event loop: at ~85 % of one core they are the bottleneck. */
const SINGLE_THREADED = new Set(['api', 'worker', 'relay', 'bank', 'harness']);

/** What a pg_stat_activity wait event means for a payout, grouped. */
const WAITS: ReadonlyArray<[RegExp, string]> = [
  [/^Lock:(transactionid|tuple)$/, 'the row lock'],
  [
    /^Lock:object$/,
    "NOTIFY's commit lock (a transaction that notified holds one database-wide lock through its commit and WAL flush, so such commits go one at a time)",
  ],
  [/^Lock:extend$/, 'relation extension'],
  [/^(IO:WALSync|IO:WALWrite|LWLock:WALWrite|LWLock:WALInsert)$/, 'the WAL flush at commit (fsync)'],
  [/^Client:ClientRead$/, 'client round trips inside a transaction'],
];

/** Shares of active-backend samples by meaning, largest first. */
export function waitMeanings(
  shares: Record<string, number>,
): Array<{ meaning: string; share: number; events: string[] }> {
  const by = new Map<string, { share: number; events: string[] }>();
  for (const [event, share] of Object.entries(shares)) {
    const meaning = WAITS.find(([re]) => re.test(event))?.[1] ?? (event === 'CPU' ? 'running' : event);
    const m = by.get(meaning) ?? { share: 0, events: [] };
    m.share += share;
    m.events.push(event);
    by.set(meaning, m);
  }
  return [...by.entries()].map(([meaning, m]) => ({ meaning, ...m })).sort((a, b) => b.share - a.share);
}

/**
 * What limits a measurement, in words, from its rounds: the lock or WAL flush most of Postgres's active
 * backends were seen waiting on, a saturated single-threaded process, the machine's cores.
 */
export function limitOf(results: readonly MeasureResult[], cores: number): string {
  if (results.length === 0) return 'not measured';
  const mean = (f: (r: MeasureResult) => number) => results.reduce((a, r) => a + f(r), 0) / results.length;
  const procs = Object.keys(results[0]?.cpuPct ?? {}).filter((k) => k !== 'all');
  const cpu = procs
    .map((p) => ({ p, pct: Math.round(mean((r) => r.cpuPct[p] ?? 0)) }))
    .sort((a, b) => b.pct - a.pct);
  const all = Math.round(mean((r) => r.cpuPct.all ?? 0));
  const shares: Record<string, number> = {};
  for (const r of results) {
    for (const [k, v] of Object.entries(r.waits.shares)) shares[k] = (shares[k] ?? 0) + v / results.length;
  }
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  const parts: string[] = [];
  const top = waitMeanings(shares).find((w) => w.meaning !== 'running');
  if (top && top.share >= 0.3) {
    parts.push(
      `${top.meaning}: ${pct(top.share)} of active Postgres backends waited on ${top.events.join('/')}`,
    );
  }
  const saturated = cpu.find((c) => SINGLE_THREADED.has(c.p) && c.pct >= 85);
  if (saturated) parts.push(`${saturated.p} CPU (${saturated.pct}% of its one core)`);
  if (all >= 85 * cores) parts.push(`the machine's ${cores} cores (${all}% of ${100 * cores}%)`);
  const context = `busiest: ${cpu
    .slice(0, 3)
    .map((c) => `${c.p} ${c.pct}%`)
    .join(', ')}; ${mean((r) => r.fsyncsPerOp).toFixed(2)} WAL flushes per op`;
  return parts.length === 0
    ? `nothing saturated (round trips and waiting); ${context}`
    : `${parts.join('; ')}; ${context}`;
}
