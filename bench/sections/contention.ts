import type { BenchContext } from '../context.ts';
import { observe } from '../measure.ts';
import { drainEstimateS, type Section } from '../section.ts';
import { closedPayouts } from '../workloads.ts';
import { type DrainDetail, drainBacklog, drainFigures } from './drain.ts';

/**
 * The contention curve: payouts/s of the API+DB path (pipeline frozen) with the clients spread over k
 * hot accounts, every point measured here, one after the other, so the curve is not bent by the machine
 * getting busier between points. The points are grouped into as many frozen blocks as there are bank
 * latencies; each block's backlog (capped per point) is then drained as one of the small drains, so no
 * work is thrown away.
 */

export interface ContentionPoint {
  accounts: number;
  perS: number;
  p99Ms: number;
  lockWaitP99Ms: number;
}

/** The points in `blocks` groups of consecutive k, as even as possible. */
export function inBlocks<T>(items: readonly T[], blocks: number): T[][] {
  const out: T[][] = [];
  const size = Math.ceil(items.length / Math.max(1, blocks));
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The payer of a contention run's request: with k ≤ clients, client c pays from payer c mod k (k = clients
 * is one account per client); with more accounts than clients, request i from payer i mod k.
 */
function contentionPayer(ctx: BenchContext, k: number, client: number, index: number) {
  const pick = k > ctx.opts.clients ? index % k : client % k;
  const user = ctx.fixtures.payers[pick];
  if (!user) throw new Error(`contention over ${k} accounts needs ${k} payers`);
  return { user, account: user.accounts[0] as string };
}

async function measurePoint(ctx: BenchContext, k: number, maxRequests: number): Promise<ContentionPoint> {
  const name = `contention_${k}_accounts`;
  const r = await observe(ctx, name, () =>
    closedPayouts(ctx, name, { durationS: ctx.opts.shortS, maxRequests }, (client, index) =>
      contentionPayer(ctx, k, client, index),
    ),
  );
  ctx.say(
    `  ${name.padEnd(34)} ${r.perS.toFixed(0).padStart(6)}/s  p99 ${r.latency.p99} ms  lock wait p99 ${r.lockMs.waitP99} ms`,
  );
  return {
    accounts: k,
    perS: Math.round(r.perS * 10) / 10,
    p99Ms: r.latency.p99,
    lockWaitP99Ms: r.lockMs.waitP99,
  };
}

export const contentionSection: Section = {
  name: 'contention',
  title: 'Contention curve, and the small backlog drains',
  estimateS: (o) =>
    o.contentionAccounts.length * (o.shortS + 1) +
    o.bankLatenciesMs.length * (drainEstimateS(o.drainSmall) + 3),
  async once(ctx) {
    const figures: Record<string, number> = {};
    const points: ContentionPoint[] = [];
    const drains: DrainDetail[] = [];
    const latencies = ctx.opts.bankLatenciesMs;
    for (const [j, block] of inBlocks(ctx.opts.contentionAccounts, latencies.length).entries()) {
      await ctx.pipeline.settle({ timeoutMs: 180_000 });
      ctx.pipeline.pause();
      for (const k of block) {
        const p = await measurePoint(ctx, k, Math.floor(ctx.opts.drainSmall / block.length));
        points.push(p);
        figures[`contention_${k}_accounts_per_s`] = p.perS;
      }
      const d = await drainBacklog(ctx, { n: ctx.opts.drainSmall, bankLatencyMs: latencies[j] ?? 0 });
      drains.push(d);
      Object.assign(figures, drainFigures(d));
    }
    return { figures, detail: { points, drains } };
  },
};
