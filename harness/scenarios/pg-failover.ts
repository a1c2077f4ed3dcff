import type { NativeHa } from '../../contract/native.ts';
import { crashMember } from '../chaos/failover-faults.ts';
import { complete, noSecondEffect, noTwoPrimaries } from '../checkers/index.ts';
import { strikeDuringBurst } from '../runner/commit-burst.ts';
import { type FailoverFigures, failoverSummary } from '../runner/failover-figures.ts';
import {
  apiReadyAgain,
  type FailoverWatch,
  failoverFigures,
  requireHa,
  watchFailover,
} from '../runner/failover-watch.ts';
import { gatherFinalState, settle } from '../runner/final-state.ts';
import type { Scenario, ScenarioContext } from '../runner/scenario.ts';
import { type FundedAccount, fundedAccounts } from '../runner/setup.ts';
import { type StrikeTools, strikeSeries } from '../runner/strike-series.ts';
import { standardChecks, stateFigures } from '../runner/workload.ts';

const ACCOUNTS = 20;
/** Payouts offered per second between the bursts: the failover's window holds a couple of hundred. */
const PAYOUTS_PER_S = 20;
/** Several failovers per run, each aimed at a burst: one quiet kill can miss a durability hole. */
const KILLS = { ci: 3, full: 6 };

/** The service's settings in the failover scenarios. */
export const FAILOVER_SERVICE_ENV: Record<string, string> = {
  RELAY_POLL_MS: '200',
  // Worker retries outlast a failover (~10 s: the 6th retry comes ~16 s after the first failure);
  // recon picks up what still got stuck.
  WORKER_ATTEMPTS: '10',
  WORKER_BACKOFF_MS: '250',
  RECON_STUCK_AFTER_MS: '20000',
  RECON_INTERVAL_MS: '3000',
};

/**
 * Steady payouts through the API (open model, careful clients retrying with their keys) on the `ha`
 * topology while the Patroni primary's host crashes — postmaster, backends and agent SIGKILLed and its
 * links dropped — during a burst of commits, several times. Patroni promotes the synchronous standby;
 * the old primary rejoins as a standby (pg_rewind) before the heal ends.
 */
export const pgFailover: Scenario = {
  name: 'pg-failover',
  summary:
    'the Patroni primary crashes (agent, postmaster, links) during a burst of payouts, several times; the synchronous standby takes over',
  checks: [
    'acknowledged-durable',
    'no-second-effect',
    'no-two-primaries',
    'money-conserved',
    'ledger-matches-balance',
    'all-terminal',
    '…standard',
  ],
  faults: ['crash'],
  // A Patroni cluster whose primary's host it crashes, and whose members it watches.
  needs: ['users', 'funding', 'state', 'bank', 'native:ha'],
  sabotages: [{ sabotage: 'async-standby', caughtBy: ['acknowledged-durable'] }],
  plan: () => ({
    topology: 'ha',
    workers: 1,
    recon: true,
    proxies: false,
    env: FAILOVER_SERVICE_ENV,
  }),
  async run(ctx) {
    const ha = requireHa(ctx);
    const accounts = await fundedAccounts(ctx, ACCOUNTS, 10_000_000);
    const watch = await watchFailover(ctx);
    let failovers: FailoverFigures[];
    try {
      ({ strikes: failovers } = await strikeSeries(ctx, {
        accounts,
        ratePerS: PAYOUTS_PER_S,
        keyPrefix: `pf-${ctx.seed}`,
        retryEveryMs: 500,
        count: KILLS[ctx.scale],
        strike: (k, tools) => crashDuringBurst(ctx, ha, watch, { accounts, k, ...tools }),
        cameBack: (f) => f.apiReadyMs >= 0,
      }));
    } finally {
      await watch.stop();
    }
    const settleMs = await settle(ctx, { deadlineMs: 90_000 });
    const state = await gatherFinalState(ctx);
    const ops = complete(ctx.recorder.ops);
    return {
      checks: [noSecondEffect(ops), noTwoPrimaries(watch.intervals()), ...standardChecks(state, ops)],
      figures: { ...failoverSummary(failovers), ...stateFigures(state), settle_ms: settleMs },
      roles: watch.intervals(),
    };
  },
};

/** One failover: a burst, the primary's host crashing once a quarter of it is acknowledged, the heal. */
async function crashDuringBurst(
  ctx: ScenarioContext,
  ha: NativeHa,
  watch: FailoverWatch,
  opts: { accounts: FundedAccount[]; k: number } & StrikeTools,
): Promise<FailoverFigures> {
  const primary = await ha.primary();
  const strike = await strikeDuringBurst(ctx, {
    accounts: opts.accounts,
    keyPrefix: `pf-${ctx.seed}-burst${opts.k}`,
    deadline: opts.deadline,
    fault: crashMember(ha, primary),
    what: 'the primary',
    bursts: opts.bursts,
    whileActive: ({ wallMs }) => apiReadyAgain(ctx, { since: wallMs }),
  });
  return failoverFigures(ctx, watch, { ...strike, member: primary, apiReadyMs: strike.measured });
}
