import type { CheckResult } from '../core/check-result.ts';
import { ErrorExamples } from './error-examples.ts';

/** One expiry of a hot cache entry: how many Postgres loads the burst of reads around it caused. */
export interface ExpiryRound {
  round: number;
  /** Reads in the burst. */
  reads: number;
  /** cache_loads_total of every API process, after minus before the burst. */
  loads: number;
}

/** A hot entry that expires under a burst of reads is loaded from Postgres exactly once per expiry. */
export function loadsPerExpiry(rounds: ExpiryRound[], { expected = 1 } = {}): CheckResult {
  const errors = new ErrorExamples<ExpiryRound & { expected: number }>();
  for (const r of rounds) {
    if (r.loads !== expected) errors.add({ ...r, expected }, { score: Math.abs(r.loads - expected) });
  }
  const loads = rounds.map((r) => r.loads);
  return errors.result({
    name: 'one-load-per-expiry',
    description: `Each expiry of the hot entry, under a burst of concurrent reads, caused exactly ${expected} Postgres load.`,
    figures: {
      rounds: rounds.length,
      reads_per_round: rounds[0]?.reads ?? 0,
      loads_per_expiry_max: loads.length ? Math.max(...loads) : 0,
      loads: loads.reduce((a, b) => a + b, 0),
    },
  });
}
