import { HttpTarget } from '../../harness/load/http-target.ts';
import { type Measurement, type MeasureResult, observe } from '../measure.ts';
import { PGBENCH_WORKLOADS, type PgbenchWorkload } from '../pgbench.ts';
import type { RatioDef } from '../rounds.ts';
import { drainEstimateS, type Section } from '../section.ts';
import { closedPayouts } from '../workloads.ts';

/**
 * The payout path against PostgreSQL's own speed: pgbench baselines on the same server, and HTTP
 * payouts — one hot account, and one account per client — with the pipeline frozen (the API+DB path
 * alone) and running (the whole system). Also the hot row's lock wait and hold, and what a settled
 * payout costs every process.
 */

function pgbenchBaseline(workload: PgbenchWorkload): Measurement {
  return {
    name: `pgbench_${workload}`,
    label: `pgbench: ${PGBENCH_WORKLOADS[workload].what}`,
    pipeline: 'any',
    length: 'short',
    run: (ctx, limits) =>
      observe(ctx, `pgbench_${workload}`, async () => {
        const r = await ctx.pgbench.run(workload, { clients: ctx.opts.clients, seconds: limits.durationS });
        return {
          ok: r.transactions,
          errors: r.failed,
          errorKinds: { failed: r.failed },
          perS: r.tps,
          latency: r.latency,
          extraCpuMs: { pgbench: r.clientCpuMs },
        };
      }),
  };
}

type Shape = 'hot' | 'spread';

function httpPayouts(shape: Shape, pipeline: 'paused' | 'running'): Measurement {
  const name = `${shape}_${pipeline === 'paused' ? 'api_db' : 'pipeline'}_payouts`;
  const where = shape === 'hot' ? 'one hot account' : 'one account per client';
  const how = pipeline === 'paused' ? 'relay/worker/recon frozen' : 'whole pipeline running';
  return {
    name,
    label: `HTTP payouts, ${where}, ${how}, uncoalesced (PAYOUT_COALESCE=off)`,
    pipeline,
    length: 'full',
    run: (ctx, limits) =>
      observe(
        ctx,
        name,
        () =>
          closedPayouts(ctx, name, limits, (client) => {
            const user = ctx.fixtures.payers[shape === 'hot' ? 0 : client] ?? ctx.fixtures.payers[0];
            if (!user) throw new Error('no payer fixture');
            return { user, account: user.accounts[0] as string };
          }),
        { settled: pipeline === 'running' },
      ),
    figures: (r) => ({
      ...(name === 'hot_api_db_payouts'
        ? { hot_lock_wait_ms_p99: r.lockMs.waitP99, hot_lock_hold_ms_p99: r.lockMs.holdP99 }
        : {}),
      ...(name === 'spread_pipeline_payouts' ? systemCost(r) : {}),
    }),
  };
}

/**
 * Hot-account payouts through an API process of their own with PAYOUT_COALESCE=on, the default
 * configuration (started for the measurement, stopped after it; the stack's api runs with it off):
 * concurrent payouts of the hot account share transactions.
 */
function coalescedHotPayouts(): Measurement {
  const name = 'hot_coalesced_api_db_payouts';
  return {
    name,
    label:
      'HTTP payouts, one hot account, coalesced (PAYOUT_COALESCE=on, the default), relay/worker/recon frozen',
    pipeline: 'paused',
    length: 'full',
    run: async (ctx, limits) => {
      const service = await ctx.stack.startService('api', { env: { PAYOUT_COALESCE: 'on' } });
      const api = new HttpTarget(service.url, { maxSockets: 64 });
      const coalesced = { ...ctx, api };
      try {
        return await observe(coalesced, name, () =>
          closedPayouts(coalesced, name, limits, () => {
            const user = ctx.fixtures.payers[0];
            if (!user) throw new Error('no payer fixture');
            return { user, account: user.accounts[0] as string };
          }),
        );
      } finally {
        api.close();
        await service.stop();
      }
    },
  };
}

/** What one payout costs the whole system, from the spread measurement with the pipeline running. */
function systemCost(r: MeasureResult): Record<string, number> {
  const out: Record<string, number> = {
    fsyncs_per_payout: r.fsyncsPerOp,
    wal_bytes_per_payout: r.walBytesPerOp,
  };
  for (const p of ['api', 'postgres', 'worker', 'bank', 'relay'] as const) {
    out[`cpu_ms_per_payout_${p}`] = r.cpuMsPerOp[p] ?? 0;
  }
  if (r.settled && r.settled.count > 0) {
    const allMs = (r.cpuMsPerOp.all ?? 0) * Math.max(r.ok, 1);
    out.cpu_ms_per_settled_payout = Math.round((allMs / r.settled.count) * 1000) / 1000;
    out.pipeline_settled_per_s = r.settled.perS;
  }
  return out;
}

const ratios: RatioDef[] = [
  {
    name: 'hot_api_db_ratio',
    numerator: 'hot_api_db_payouts_per_s',
    denominator: 'pgbench_hot_row_per_s',
    what: 'hot-account payouts uncoalesced (PAYOUT_COALESCE=off), API+DB path ÷ pgbench hot-row script',
  },
  {
    name: 'hot_pipeline_ratio',
    numerator: 'hot_pipeline_payouts_per_s',
    denominator: 'pgbench_hot_row_per_s',
    what: 'hot-account payouts, pipeline running ÷ pgbench hot-row script',
  },
  {
    name: 'hot_coalesced_api_db_ratio',
    numerator: 'hot_coalesced_api_db_payouts_per_s',
    denominator: 'pgbench_hot_row_per_s',
    what: 'hot-account payouts coalesced (PAYOUT_COALESCE=on, the default), API+DB path ÷ pgbench hot-row script',
  },
  {
    name: 'spread_api_db_ratio',
    numerator: 'spread_api_db_payouts_per_s',
    denominator: 'pgbench_tpcb_n_per_s',
    what: 'one account per client, API+DB path ÷ pgbench tpcb-like -N',
  },
  {
    name: 'spread_pipeline_ratio',
    numerator: 'spread_pipeline_payouts_per_s',
    denominator: 'pgbench_tpcb_n_per_s',
    what: 'one account per client, pipeline running ÷ pgbench tpcb-like -N',
  },
  {
    name: 'pipeline_settled_ratio',
    numerator: 'pipeline_settled_per_s',
    denominator: 'spread_api_db_payouts_per_s',
    what: 'settled/s with the pipeline running ÷ the API+DB path alone',
  },
  {
    name: 'pgbench_cte_ratio',
    numerator: 'pgbench_hot_row_cte_per_s',
    denominator: 'pgbench_hot_row_per_s',
    what: 'hot row as one CTE statement ÷ as five statements (what a round trip under the lock costs)',
  },
  {
    name: 'pgbench_spread_ratio',
    numerator: 'pgbench_hot_row_spread_per_s',
    denominator: 'pgbench_hot_row_per_s',
    what: 'hot-row script spread over one row per client ÷ on one row (what the hot row costs)',
  },
];

export const apiPathSection: Section = {
  name: 'api_path',
  title: 'Payout path vs pgbench on the same PostgreSQL',
  measurements: [
    pgbenchBaseline('hot_row'),
    pgbenchBaseline('hot_row_cte'),
    pgbenchBaseline('tpcb_n'),
    pgbenchBaseline('hot_row_spread'),
    httpPayouts('hot', 'running'),
    httpPayouts('spread', 'running'),
    httpPayouts('hot', 'paused'),
    httpPayouts('spread', 'paused'),
    coalescedHotPayouts(),
  ],
  ratios,
  // Per round: four pgbench baselines (short), five HTTP measurements (one with an API process of its
  // own to start), switching, and the large drain.
  estimateS: (o) => o.rounds * (4 * o.shortS + 5 * o.durationS + 16 + drainEstimateS(o.drainLarge)),
};
