import type { NativeHa } from '../../contract/native.ts';
import { isolateMember } from '../chaos/failover-faults.ts';
import {
  complete,
  type DirectCommit,
  isolatedPrimaryWindow,
  noSecondEffect,
  noTwoPrimaries,
  standbyPromoted,
} from '../checkers/index.ts';
import type { CheckResult } from '../core/check-result.ts';
import { strikeDuringBurst } from '../runner/commit-burst.ts';
import { type FailoverFigures, failoverSummary } from '../runner/failover-figures.ts';
import {
  apiReadyAgain,
  commitDirectly,
  type FailoverWatch,
  failoverFigures,
  requireHa,
  watchFailover,
} from '../runner/failover-watch.ts';
import { gatherFinalState, settle } from '../runner/final-state.ts';
import type { Scenario, ScenarioContext } from '../runner/scenario.ts';
import { type FundedAccount, fundedAccounts } from '../runner/setup.ts';
import { type StrikeTools, strikeSeries } from '../runner/strike-series.ts';
import { sleep, standardChecks, stateFigures } from '../runner/workload.ts';
import { FAILOVER_SERVICE_ENV } from './pg-failover.ts';

const ACCOUNTS = 20;
const PAYOUTS_PER_S = 20;
const ISOLATIONS = { ci: 2, full: 4 };
/** After a standby took over, the cut stays this long: the old primary must stay demoted meanwhile. */
const CUT_AFTER_ELECTION_MS = 3_000;

/**
 * Steady payouts through the API (open model, careful clients) on the `ha` topology while the primary
 * is cut off from etcd and from its standbys — its three links disabled — yet still reached by HAProxy
 * and by a client committing on it directly. It can no longer renew its leader lock nor ship WAL: with
 * synchronous replication its commits wait for a standby it cannot reach, Patroni demotes it when etcd
 * stays silent past retry_timeout, and the synchronous standby takes over once the lock expires (TTL).
 * The heal restores the links; the old primary rejoins as a standby (pg_rewind).
 */
export const pgPrimaryIsolated: Scenario = {
  name: 'pg-primary-isolated',
  summary:
    'the primary is cut off from etcd and its standbys while clients still reach it; it stops committing, a standby takes over',
  checks: [
    'isolated-primary-window',
    'standby-promoted',
    'no-two-primaries',
    'acknowledged-durable',
    'no-second-effect',
    'money-conserved',
    '…standard',
  ],
  faults: ['isolate'],
  // A Patroni cluster whose members it cuts off, watches and commits on directly.
  needs: ['users', 'funding', 'state', 'bank', 'native:ha'],
  sabotages: [{ sabotage: 'async-standby', caughtBy: ['acknowledged-durable'] }],
  plan: () => ({ topology: 'ha', workers: 1, recon: true, proxies: false, env: FAILOVER_SERVICE_ENV }),
  async run(ctx) {
    const ha = requireHa(ctx);
    const accounts = await fundedAccounts(ctx, ACCOUNTS, 10_000_000);
    const watch = await watchFailover(ctx);
    let isolations: Isolation[];
    try {
      ({ strikes: isolations } = await strikeSeries(ctx, {
        accounts,
        ratePerS: PAYOUTS_PER_S,
        keyPrefix: `pi-${ctx.seed}`,
        retryEveryMs: 500,
        count: ISOLATIONS[ctx.scale],
        strike: (k, tools) => isolateDuringBurst(ctx, ha, watch, { accounts, k, ...tools }),
        cameBack: (i) => i.figures.apiReadyMs >= 0,
      }));
    } finally {
      await watch.stop();
    }
    const settleMs = await settle(ctx, { deadlineMs: 90_000 });
    const state = await gatherFinalState(ctx);
    const ops = complete(ctx.recorder.ops);
    const intervals = watch.intervals();
    const ttlMs = ha.ttlSeconds * 1_000;
    const perIsolation: CheckResult[] = isolations.flatMap((iso) => [
      isolatedPrimaryWindow(iso.direct, { cutAt: iso.at, ttlMs }),
      standbyPromoted(intervals, { member: iso.figures.member, from: iso.at, to: iso.healedAt }),
    ]);
    return {
      checks: [
        ...worstOf(perIsolation),
        noTwoPrimaries(intervals),
        noSecondEffect(ops),
        ...standardChecks(state, ops),
      ],
      figures: {
        ...failoverSummary(isolations.map((i) => i.figures)),
        commit_window_ms_max: Math.max(
          ...perIsolation
            .filter((c) => c.name === 'isolated-primary-window')
            .map((c) => c.figures?.commit_window_ms ?? 0),
        ),
        ...stateFigures(state),
        settle_ms: settleMs,
      },
      roles: intervals,
    };
  },
};

interface Isolation {
  at: number;
  healedAt: number;
  direct: DirectCommit[];
  figures: FailoverFigures;
}

/** One check per name: the first failing one of the isolations, else the first. */
function worstOf(checks: CheckResult[]): CheckResult[] {
  const names = [...new Set(checks.map((c) => c.name))];
  return names.map((name) => {
    const of = checks.filter((c) => c.name === name);
    return (of.find((c) => !c.valid) ?? of[0]) as CheckResult;
  });
}

/**
 * One isolation, aimed at a burst of commits: the primary cut off, held so until a standby was seen
 * promoted (and a little longer, to see the old one stay demoted), then healed. A client commits on the
 * cut-off primary directly throughout, which measures the window in which it still acknowledged commits.
 */
async function isolateDuringBurst(
  ctx: ScenarioContext,
  ha: NativeHa,
  watch: FailoverWatch,
  opts: { accounts: FundedAccount[]; k: number } & StrikeTools,
): Promise<Isolation> {
  const primary = await ha.primary();
  const direct = commitDirectly(ctx, primary);
  let apiReadyMs = -1;
  const strike = await strikeDuringBurst(ctx, {
    accounts: opts.accounts,
    keyPrefix: `pi-${ctx.seed}-burst${opts.k}`,
    deadline: opts.deadline,
    fault: isolateMember(ha, primary),
    what: 'the primary cut off',
    bursts: opts.bursts,
    whileActive: async ({ at, wallMs }) => {
      // The API stays ready while the cut-off primary still answers reads: wait past its demotion.
      const ttlMs = ha.ttlSeconds * 1_000;
      apiReadyMs = await apiReadyAgain(ctx, { since: wallMs, noticeMs: ttlMs + 5_000 });
      const deadline = Date.now() + 60_000;
      while (!watch.newPrimaryAfter(at, primary) && Date.now() < deadline) await sleep(100);
      await sleep(CUT_AFTER_ELECTION_MS);
      return ctx.recorder.now();
    },
  });
  await direct.stop();
  return {
    at: strike.at,
    healedAt: strike.measured,
    direct: direct.commits,
    figures: failoverFigures(ctx, watch, { ...strike, member: primary, apiReadyMs }),
  };
}
