import { crash } from '../chaos/process-faults.ts';
import { complete, noSecondEffect } from '../checkers/index.ts';
import { strikeDuringBurst } from '../runner/commit-burst.ts';
import { apiReadyAgain } from '../runner/failover-watch.ts';
import { gatherFinalState, settle } from '../runner/final-state.ts';
import type { Scenario } from '../runner/scenario.ts';
import { fundedAccounts } from '../runner/setup.ts';
import { faultWindowFigures } from '../runner/steady-payouts.ts';
import { strikeSeries } from '../runner/strike-series.ts';
import { between, sleep, standardChecks, stateFigures } from '../runner/workload.ts';

const ACCOUNTS = 20;
/** Payouts offered per second: a backlog of careful retries builds up while Postgres is down. */
const PAYOUTS_PER_S = 25;
/**
 * Several crashes, each during a burst of commits: a durability hole (a commit acknowledged before its
 * WAL is flushed) loses only the last few hundred milliseconds of commits, which one crash at a quiet
 * moment can miss.
 */
const KILLS = { ci: 3, full: 6 };

/**
 * Steady payouts (offered at a constant rate, open model) while PostgreSQL is SIGKILLed (postmaster and
 * backends) during a burst of commits and restarted, replaying its WAL — several times. Each payout is
 * a careful client: it retries an unknown outcome with its idempotency key, as a real client would, so
 * the figures show how many of the payouts offered during the outages were accepted in the end.
 */
export const postgresCrash: Scenario = {
  name: 'postgres-crash',
  summary:
    'steady payouts while PostgreSQL is SIGKILLed during bursts of commits and restarted (WAL recovery), three times; clients retry with their keys',
  checks: [
    'acknowledged-durable',
    'no-second-effect',
    'ledger-matches-balance',
    'money-conserved',
    'all-terminal',
    '…standard',
  ],
  faults: ['crash'],
  needs: ['users', 'funding', 'state', 'bank', 'kill:postgres'],
  sabotages: [
    { sabotage: 'ack-before-commit', caughtBy: ['acknowledged-durable'] },
    { sabotage: 'async-commit', caughtBy: ['acknowledged-durable'] },
  ],
  plan: () => ({
    workers: 1,
    recon: true,
    proxies: false,
    env: {
      // Worker retries outlast a few seconds of outage; recon picks up what still got stuck.
      WORKER_ATTEMPTS: '8',
      WORKER_BACKOFF_MS: '300',
      RECON_STUCK_AFTER_MS: '10000',
      RECON_INTERVAL_MS: '3000',
    },
  }),
  async run(ctx) {
    const [postgres] = ctx.target.components('postgres');
    if (!postgres) throw new Error('no postgres component');
    const accounts = await fundedAccounts(ctx, ACCOUNTS, 10_000_000);
    const { strikes, offered, records } = await strikeSeries(ctx, {
      accounts,
      ratePerS: PAYOUTS_PER_S,
      keyPrefix: `pc-${ctx.seed}`,
      retryEveryMs: 200,
      count: KILLS[ctx.scale],
      strike: async (k, tools) => {
        const strike = await strikeDuringBurst(ctx, {
          accounts,
          keyPrefix: `pc-${ctx.seed}-burst${k}`,
          ...tools,
          fault: crash(postgres),
          what: 'SIGKILL postmaster and backends',
          whileActive: async ({ wallMs }) => {
            await sleep(between(ctx.rng, 1_500, 3_000));
            return wallMs;
          },
        });
        // Down until the heal restarted it: ready once WAL recovery is done and the pools reconnect.
        const readyMs = await apiReadyAgain(ctx, {
          since: strike.measured,
          wentDown: true,
          withinMs: 30_000,
        });
        return { at: strike.at, acknowledgedBefore: strike.acknowledgedBefore, readyMs };
      },
      cameBack: (s) => s.readyMs >= 0,
    });
    const settleMs = await settle(ctx, { deadlineMs: 90_000 });
    const state = await gatherFinalState(ctx);
    const ops = complete(ctx.recorder.ops);
    const unsuccessful = ops.filter((o) => o.type !== 'ok').length;
    const windows = strikes.map((s) => ({ from: s.at, to: s.readyMs >= 0 ? s.at + s.readyMs : s.at }));
    const readies = strikes.map((s) => s.readyMs);
    return {
      checks: [noSecondEffect(ops), ...standardChecks(state, ops)],
      figures: {
        api_ready_after_crash_ms: readies.includes(-1) ? -1 : Math.max(...readies),
        unsuccessful_calls: unsuccessful,
        crashes: strikes.length,
        acknowledged_last_second_min: Math.min(...strikes.map((s) => s.acknowledgedBefore)),
        ...Object.fromEntries(
          strikes.map((s, i) => [`acknowledged_before_kill_${i + 1}`, s.acknowledgedBefore]),
        ),
        ...faultWindowFigures(offered, records, windows),
        ...stateFigures(state),
        settle_ms: settleMs,
      },
    };
  },
};
