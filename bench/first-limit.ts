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

const MIN_SAMPLES = 30;

export const LIMITS: readonly Limit[] = [
  {
    name: 'pool waits',
    unit: "requests queued for one of the api's Postgres connections (mean)",
    threshold: 1,
    value: (s) => s.poolWaitingMean,
  },
  {
    name: 'event-loop lag',
    unit: "ms p99 of the api's event-loop lag",
    threshold: 100,
    value: (s) => s.lagP99MaxMs,
  },
  {
    name: 'api CPU',
    unit: '% of a core used by the api process',
    threshold: 90,
    value: (s) => s.cpuPct.api ?? 0,
  },
  {
    name: 'Postgres CPU',
    unit: '% of a core used by PostgreSQL',
    threshold: 100,
    value: (s) => s.cpuPct.postgres ?? 0,
  },
  {
    name: 'auth lookups',
    unit: "% of the api's active queries that were API-key lookups",
    threshold: 50,
    // A share of a handful of samples is noise: it counts once the api's queries were seen 30 times.
    value: (s) => (s.apiActiveSamples >= MIN_SAMPLES ? s.authShare * 100 : 0),
  },
  { name: 'lock waits', unit: 'ms p99 of row-lock waits', threshold: 25, value: (s) => s.lockWaitP99Ms },
  {
    name: "NOTIFY's commit lock",
    unit: "% of the api's active queries waiting on Lock:object (notifying commits go one at a time)",
    threshold: 50,
    value: (s) => (s.apiActiveSamples >= MIN_SAMPLES ? s.notifyShare * 100 : 0),
  },
  {
    name: 'WAL flushes',
    unit: "% of the api's active queries waiting on the WAL (fsync at commit)",
    threshold: 50,
    value: (s) => (s.apiActiveSamples >= MIN_SAMPLES ? s.walShare * 100 : 0),
  },
  {
    name: 'machine CPU',
    unit: '% of all cores busy (every process on the machine)',
    threshold: 95,
    value: (s) => s.machineBusyPct,
  },
  {
    name: 'Redis connections',
    unit: 'connections refused by Redis',
    threshold: 1,
    value: (s) => s.redisRejected,
  },
];

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
