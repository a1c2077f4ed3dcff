import { opsInFlight } from '../chaos/evidence.ts';
import { crash } from '../chaos/process-faults.ts';
import { complete, noSecondEffect } from '../checkers/index.ts';
import { gatherFinalState, settle } from '../runner/final-state.ts';
import type { Scenario } from '../runner/scenario.ts';
import { fundedAccounts } from '../runner/setup.ts';
import { faultWindowFigures, steadyPayouts } from '../runner/steady-payouts.ts';
import { between, sleep, standardChecks, stateFigures } from '../runner/workload.ts';

const CLIENTS = 10;
/** Payouts offered per second: a backlog of careful retries builds up while Postgres is down. */
const PAYOUTS_PER_S = 25;

/**
 * Steady payouts (offered at a constant rate, open model) while PostgreSQL is SIGKILLed (postmaster and
 * backends) and restarted, replaying its WAL. Each payout is a careful client: it retries an unknown
 * outcome with its idempotency key, as a real client would, so the figures show how many of the payouts
 * offered during the outage were accepted in the end.
 */
export const postgresCrash: Scenario = {
  name: 'postgres-crash',
  summary:
    'steady payouts while PostgreSQL is SIGKILLed and restarted (WAL recovery); clients retry with their keys',
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
  sabotages: [{ sabotage: 'ack-before-commit', caughtBy: ['acknowledged-durable'] }],
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
    const seconds = ctx.scale === 'full' ? 60 : 15;
    const accounts = await fundedAccounts(ctx, CLIENTS, 10_000_000);
    const stopAt = Date.now() + seconds * 1_000;
    const payouts = steadyPayouts(ctx, {
      accounts,
      ratePerS: PAYOUTS_PER_S,
      durationS: seconds,
      keyPrefix: `pc-${ctx.seed}`,
      careful: { retryEveryMs: 200, deadline: () => stopAt + 30_000 },
    });

    await sleep(between(ctx.rng, 3_000, 5_000));
    const [postgres] = ctx.target.components('postgres');
    if (!postgres) throw new Error('no postgres component');
    const crashed = opsInFlight(crash(postgres), ctx.recorder.ops);
    const crashedAt = Date.now();
    const from = ctx.recorder.now();
    await ctx.nemesis.inject(crashed, 'SIGKILL postmaster and backends');
    await sleep(between(ctx.rng, 1_500, 3_000));
    await ctx.nemesis.heal(crashed);
    let readyAfterMs = -1;
    while (Date.now() - crashedAt < 60_000) {
      if (await ctx.api.ready()) {
        readyAfterMs = Date.now() - crashedAt;
        break;
      }
      await sleep(50);
    }
    const to = ctx.recorder.now();
    const offered = await payouts.done;
    const settleMs = await settle(ctx, { deadlineMs: 90_000 });
    const state = await gatherFinalState(ctx);
    const ops = complete(ctx.recorder.ops);
    const unsuccessful = ops.filter((o) => o.type !== 'ok').length;
    return {
      checks: [noSecondEffect(ops), ...standardChecks(state, ops)],
      figures: {
        api_ready_after_crash_ms: readyAfterMs,
        unsuccessful_calls: unsuccessful,
        ...faultWindowFigures(offered, payouts.records, { from, to }),
        ...stateFigures(state),
        settle_ms: settleMs,
      },
    };
  },
};
