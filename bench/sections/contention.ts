import { observe } from '../measure.ts';
import type { Section } from '../section.ts';
import { closedPayouts } from '../workloads.ts';
import { contentionPayer } from './api-path.ts';
import { type DrainDetail, drainBacklog, drainFigures } from './drain.ts';

/**
 * The contention curve: payouts/s of the API+DB path with the clients spread over k hot accounts.
 * k = 1 and k = clients are the rounds' hot and spread measurements; this adds the points between and
 * beyond. Each point runs with the pipeline frozen and leaves at most the small drain's backlog, which
 * is then drained as one of the small drains (one bank latency per point), so no work is thrown away.
 */
export const contentionSection: Section = {
  name: 'contention',
  title: 'Contention curve, and the small backlog drains',
  async once(ctx) {
    const figures: Record<string, number> = {};
    const points: Array<{ accounts: number; perS: number; p99Ms: number; lockWaitP99Ms: number }> = [];
    const drains: DrainDetail[] = [];
    const latencies = ctx.opts.bankLatenciesMs;
    for (const [j, k] of ctx.opts.contentionExtra.entries()) {
      await ctx.pipeline.settle({ timeoutMs: 180_000 });
      ctx.pipeline.pause();
      const name = `contention_${k}_accounts`;
      const r = await observe(ctx, name, () =>
        closedPayouts(
          ctx,
          name,
          { durationS: ctx.opts.shortS, maxRequests: ctx.opts.drainSmall },
          (client, index) => contentionPayer(ctx, k, client, index),
        ),
      );
      figures[`${name}_per_s`] = Math.round(r.perS * 10) / 10;
      points.push({
        accounts: k,
        perS: figures[`${name}_per_s`] ?? 0,
        p99Ms: r.latency.p99,
        lockWaitP99Ms: r.lockMs.waitP99,
      });
      ctx.say(
        `  ${name.padEnd(34)} ${r.perS.toFixed(0).padStart(6)}/s  p99 ${r.latency.p99} ms  lock wait p99 ${r.lockMs.waitP99} ms`,
      );
      const d = await drainBacklog(ctx, {
        n: ctx.opts.drainSmall,
        bankLatencyMs: latencies[j % latencies.length] ?? 0,
      });
      drains.push(d);
      Object.assign(figures, drainFigures(d));
    }
    return { figures, detail: { points, drains } };
  },
};
