import type { Signals } from './probes/ramp-monitor.ts';

/**
 * What broke first in a load ramp, named from measurements: each watched signal has a threshold, and
 * the limit is the signal that crossed its threshold at the lowest rate (the earliest stage); signals
 * crossing in the same stage are ranked by how far past their threshold they were.
 */

export interface Limit {
  name: string;
  /** What the value is, after the number. */
  unit: string;
  threshold: number;
  value(s: Signals): number;
}

/** A share of the api's sampled queries counts once they were seen this often: a handful is noise. */
const MIN_SAMPLES = 30;
const sampledPct = (share: (s: Signals) => number) => (s: Signals) =>
  s.apiActiveSamples >= MIN_SAMPLES ? share(s) * 100 : 0;

/** Each watched signal: name, what its value is, threshold, and how to read it from a stage's signals. */
const WATCHED: ReadonlyArray<[string, string, number, (s: Signals) => number]> = [
  [
    'pool waits',
    "requests queued for one of the api's Postgres connections (mean)",
    1,
    (s) => s.poolWaitingMean,
  ],
  ['event-loop lag', "ms p99 of the api's event-loop lag", 100, (s) => s.lagP99MaxMs],
  ['api CPU', '% of a core used by the api process', 90, (s) => s.cpuPct.api ?? 0],
  ['Postgres CPU', '% of a core used by PostgreSQL', 100, (s) => s.cpuPct.postgres ?? 0],
  [
    'auth lookups',
    "% of the api's active queries that were API-key lookups",
    50,
    sampledPct((s) => s.authShare),
  ],
  ['lock waits', 'ms p99 of row-lock waits', 25, (s) => s.lockWaitP99Ms],
  [
    "NOTIFY's commit lock",
    "% of the api's active queries waiting on Lock:object (notifying commits go one at a time)",
    50,
    sampledPct((s) => s.notifyShare),
  ],
  [
    'WAL flushes',
    "% of the api's active queries waiting on the WAL (fsync at commit)",
    50,
    sampledPct((s) => s.walShare),
  ],
  ['machine CPU', '% of all cores busy (every process on the machine)', 95, (s) => s.machineBusyPct],
  ['Redis connections', 'connections refused by Redis', 1, (s) => s.redisRejected],
];

export const LIMITS: readonly Limit[] = WATCHED.map(([name, unit, threshold, value]) => ({
  name,
  unit,
  threshold,
  value,
}));

export interface StageSignals {
  /** The stage's achieved rate (ok answers/s). */
  perS: number;
  signals: Signals | null;
}

export interface Crossing {
  name: string;
  stage: number;
  perS: number;
  value: number;
  threshold: number;
  unit: string;
}

/** Every signal's first crossing among `stages`, earliest first (then by how far past its threshold). */
export function crossings(stages: readonly StageSignals[], limits: readonly Limit[] = LIMITS): Crossing[] {
  const out: Crossing[] = [];
  for (const limit of limits) {
    for (const [i, st] of stages.entries()) {
      if (!st.signals) continue;
      const value = limit.value(st.signals);
      if (value >= limit.threshold) {
        const v = Math.round(value * 10) / 10;
        out.push({
          name: limit.name,
          stage: i,
          perS: st.perS,
          value: v,
          threshold: limit.threshold,
          unit: limit.unit,
        });
        break;
      }
    }
  }
  return out.sort((a, b) => a.stage - b.stage || b.value / b.threshold - a.value / a.threshold);
}

/** The finding in words: the first crossing, and what followed. */
export function firstLimitFinding(found: readonly Crossing[], breachPerS: number | null): string {
  const first = found[0];
  if (!first) {
    return breachPerS === null
      ? 'nothing: the ramp ended before p99 or errors crossed their limits, and no watched signal crossed its threshold'
      : `none of the watched signals crossed its threshold before p99 > 500 ms at ${breachPerS}/s`;
  }
  const then = found
    .slice(1, 3)
    .map((c) => `${c.name} at ${c.perS}/s`)
    .join(', ');
  return `${first.name}: ${first.value} ${first.unit} at ${first.perS}/s (threshold ${first.threshold})${then ? `; then ${then}` : ''}`;
}
