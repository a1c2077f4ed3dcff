import { opsInFlight } from '../../chaos/evidence.ts';
import { crashPostgres } from '../../chaos/process-faults.ts';
import { complete, noSecondEffect } from '../checkers/index.ts';
import { gatherFinalState, settle } from '../core/final-state.ts';
import type { Scenario, ScenarioContext } from '../core/scenario.ts';
import { type FundedAccount, fundedAccounts } from '../core/setup.ts';
import { between, payoutUntilDefinite, sleep, standardChecks, stateFigures } from '../core/workload.ts';

const CLIENTS = 10;

/**
 * Steady payouts while PostgreSQL is SIGKILLed (postmaster and backends) and restarted, replaying its
 * WAL. Clients retry unknown outcomes with their idempotency keys, as a real client would.
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
    const clients = accounts.map((a, c) => client(ctx, a, c, stopAt));

    await sleep(between(ctx.rng, 3_000, 5_000));
    const crash = opsInFlight(crashPostgres(ctx.stack.postgres), ctx.recorder.ops);
    const crashedAt = Date.now();
    await ctx.nemesis.inject(crash, 'SIGKILL postmaster and backends');
    await sleep(between(ctx.rng, 1_500, 3_000));
    await ctx.nemesis.heal(crash);
    let readyAfterMs = -1;
    while (Date.now() - crashedAt < 60_000) {
      if (await ctx.api.ready()) {
        readyAfterMs = Date.now() - crashedAt;
        break;
      }
      await sleep(50);
    }
    await Promise.all(clients);
    const settleMs = await settle(ctx, { deadlineMs: 90_000 });
    const state = await gatherFinalState(ctx);
    const ops = complete(ctx.recorder.ops);
    const unsuccessful = ops.filter((o) => o.type !== 'ok').length;
    return {
      checks: [noSecondEffect(ops), ...standardChecks(state, ops)],
      figures: {
        api_ready_after_crash_ms: readyAfterMs,
        unsuccessful_calls: unsuccessful,
        ...stateFigures(state),
        settle_ms: settleMs,
      },
    };
  },
};

async function client(ctx: ScenarioContext, account: FundedAccount, c: number, stopAt: number) {
  const process = ctx.recorder.process();
  for (let i = 0; Date.now() < stopAt; i++) {
    const req = {
      idempotencyKey: `pc-${ctx.seed}-${c}-${i}`,
      accountId: account.accountId,
      amount: 100,
      currency: 'USD',
      destination: `IBAN-${c}`,
    };
    await payoutUntilDefinite(ctx, process, account, req, { deadline: stopAt + 30_000, retryEveryMs: 200 });
  }
}
