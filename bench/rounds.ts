import type { BenchContext } from './context.ts';
import { baseFigures, type Measurement, type MeasureResult } from './measure.ts';

/**
 * The A/B rounds: every measurement and every baseline once per round, the order reversed in every
 * other round (A B C, C B A, …) so a machine that slows down over the run weighs on both sides of a
 * ratio alike. Each ratio is computed inside its round; the summary reports the median and the min–max.
 *
 * The pipeline is switched as each measurement needs: a `paused` block freezes relay, worker and recon
 * (after letting them settle); leaving it, `afterPaused` drains the backlog the block left (measured as
 * a drain when the round has one to measure). A paused block's requests are capped so that its backlog
 * never exceeds the drain's size.
 */

/** A ratio of two per-round figures. */
export interface RatioDef {
  name: string;
  numerator: string;
  denominator: string;
  /** What it means, one line. */
  what: string;
}

export interface RoundHooks {
  /** The backlog round `round`'s paused block may leave (the size of the drain after it). */
  backlogTarget(round: number): number;
  /** Resumes the pipeline after a paused block and drains it; returns the drain's figures, if measured. */
  afterPaused(round: number): Promise<Record<string, number>>;
}

export interface RoundReport {
  round: number;
  order: string[];
  results: MeasureResult[];
  figures: Record<string, number>;
}

const SETTLE_TIMEOUT_MS = 180_000;

/** Runs `rounds` rounds of `measurements`; see the module comment. */
export async function runRounds(
  ctx: BenchContext,
  measurements: readonly Measurement[],
  ratios: readonly RatioDef[],
  hooks: RoundHooks,
): Promise<RoundReport[]> {
  const reports: RoundReport[] = [];
  const { rounds } = ctx.opts;
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? [...measurements] : [...measurements].reverse();
    ctx.say(`round ${r + 1} of ${rounds}: ${order.map((m) => m.name).join(', ')}`);
    const figures: Record<string, number> = {};
    const results: MeasureResult[] = [];
    for (const [j, m] of order.entries()) {
      const pipeline = ctx.pipeline;
      if (m.pipeline === 'running' && pipeline.paused) Object.assign(figures, await hooks.afterPaused(r));
      if (m.pipeline === 'running') await pipeline.settle({ timeoutMs: SETTLE_TIMEOUT_MS });
      if (m.pipeline === 'paused' && !pipeline.paused) {
        await pipeline.settle({ timeoutMs: SETTLE_TIMEOUT_MS });
        pipeline.pause();
      }
      const durationS = m.length === 'full' ? ctx.opts.durationS : ctx.opts.shortS;
      let maxRequests: number | undefined;
      if (m.pipeline === 'paused') {
        const left = pausedLeft(order, j);
        const room = hooks.backlogTarget(r) - (await pipeline.open());
        maxRequests = Math.max(1, Math.floor(room / left));
      }
      const result = await m.run(ctx, { durationS, ...(maxRequests ? { maxRequests } : {}) });
      results.push(result);
      Object.assign(figures, baseFigures(m, result), m.figures?.(result));
      ctx.say(`  ${describe(m, result)}`);
    }
    if (ctx.pipeline.paused) Object.assign(figures, await hooks.afterPaused(r));
    for (const ratio of ratios) {
      const num = figures[ratio.numerator];
      const den = figures[ratio.denominator];
      if (num !== undefined && den !== undefined && den > 0) {
        figures[ratio.name] = Math.round((num / den) * 1000) / 1000;
      }
    }
    reports.push({ round: r + 1, order: order.map((m) => m.name), results, figures });
  }
  return reports;
}

/** Paused measurements from position j until the next one that needs the pipeline running. */
function pausedLeft(order: readonly Measurement[], j: number): number {
  let n = 0;
  for (const m of order.slice(j)) {
    if (m.pipeline === 'running') break;
    if (m.pipeline === 'paused') n++;
  }
  return Math.max(n, 1);
}

/** One line per measurement: rate, latency, errors, and the busiest process. */
export function describe(m: Measurement, r: MeasureResult): string {
  const busiest = Object.entries(r.cpuPct)
    .filter(([k]) => k !== 'all')
    .sort((a, b) => b[1] - a[1])
    .slice(0, 2)
    .map(([k, v]) => `${k} ${v}%`)
    .join(', ');
  const settled = r.settled ? `, settled ${r.settled.perS}/s` : '';
  return (
    `${m.name.padEnd(34)} ${r.perS.toFixed(0).padStart(6)}/s  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms` +
    `  errors ${r.errors}${settled}  (cpu: ${busiest})`
  );
}
