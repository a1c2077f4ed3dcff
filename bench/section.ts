import type { BenchContext } from './context.ts';
import type { Measurement } from './measure.ts';
import type { BenchOptions } from './options.ts';
import type { RatioDef, RoundReport } from './rounds.ts';

/** What a section adds to result.json besides its round measurements. */
export interface SectionOutput {
  /** Flat figures, named unit last (docs/reports.md#figure-names). */
  figures: Record<string, number>;
  findings?: Record<string, string>;
  /** Structured detail for result.json's `sections.<name>`. */
  detail?: unknown;
}

/**
 * A part of the bench. Its `measurements` join every A/B round (in section order) and its `ratios` are
 * computed inside each round; `once` runs after the rounds, for work that is not a ratio against a
 * baseline (drains, sweeps, ramps). New answers (lock strategies, a Postgres-only queue) are new
 * sections: measurements whose setup switches the service over, and ratios against the baselines.
 */
export interface Section {
  name: string;
  title: string;
  measurements?: Measurement[];
  ratios?: RatioDef[];
  once?(ctx: BenchContext): Promise<SectionOutput>;
  /** Seconds it takes on an idle 2-core machine, rounds included, for the printed estimate. */
  estimateS?(o: BenchOptions): number;
  /** Verdicts in words from the summary figures (medians) and the rounds. */
  findings?(figures: Record<string, number>, rounds: RoundReport[]): Record<string, string>;
}

/** Seconds a drain of n payouts takes on an idle machine (~400 settled/s), for the estimates. */
export const drainEstimateS = (n: number) => n / 400;
