import type { ServiceHandle } from '../../stack/index.ts';
import { complete } from '../checkers/index.ts';
import { gatherFinalState, settle } from '../runner/final-state.ts';
import { killWorker } from '../runner/queue-probes.ts';
import type { Scenario, ScenarioContext } from '../runner/scenario.ts';
import { type FundedAccount, fundedAccounts } from '../runner/setup.ts';
import { between, payoutUntilDefinite, sleep, standardChecks, stateFigures } from '../runner/workload.ts';

const CLIENTS = 20;

/**
 * Payouts flowing through the queue while workers are SIGKILLed at random moments mid-job and
 * restarted: their jobs must be taken up again as stalled jobs, and the bank must charge each once.
 */
export const workerKill: Scenario = {
  name: 'worker-kill',
  summary: 'payouts through the queue while workers are SIGKILLed mid-job and restarted',
  checks: [
    'all-terminal',
    'bank-charged-once',
    'queue-drained',
    'acknowledged-durable',
    'money-conserved',
    '…standard',
  ],
  faults: ['kill'],
  sabotages: [{ sabotage: 'bank-no-key', caughtBy: ['bank-charged-once'] }],
  plan: () => ({
    workers: 2,
    // Recon is the safety net for a job BullMQ gives up on after too many stalls; it never hides a
    // double charge, which is what this scenario hunts.
    recon: true,
    proxies: false,
    env: {
      STALLED_INTERVAL_MS: '1000',
      JOB_LOCK_MS: '2000',
      RECON_STUCK_AFTER_MS: '20000',
      RECON_INTERVAL_MS: '5000',
    },
  }),
  async run(ctx) {
    const total = ctx.scale === 'full' ? 10_000 : 2_000;
    const accounts = await fundedAccounts(ctx, CLIENTS, (total / CLIENTS) * 100);
    // A bank slow enough that kills land while calls are in flight.
    await ctx.bank.setFaults({ seed: ctx.seed, latencyMs: 25 });

    const workers = () => ctx.stack.services.filter((s) => s.role === 'worker');
    let producing = true;
    const takeovers: Promise<number | null>[] = [];
    const nemesis = (async () => {
      let kills = 0;
      while (producing) {
        await sleep(between(ctx.rng, 700, 2_000));
        const pool = workers();
        const victim = pool[between(ctx.rng, 0, pool.length - 1)] as ServiceHandle;
        const fault = killWorker(ctx, victim);
        const inFlight = await processingIds(ctx);
        await ctx.nemesis.inject(fault, `${inFlight.length} transfers in PROCESSING`);
        takeovers.push(takeoverMs(ctx, inFlight));
        kills++;
        await sleep(between(ctx.rng, 300, 1_000));
        await ctx.nemesis.heal(fault);
      }
      return kills;
    })();

    const deadline = Date.now() + 120_000;
    await Promise.all(accounts.map((account, c) => client(ctx, account, c, total / CLIENTS, deadline)));
    await sleep(3_000); // let the nemesis hit the drain too
    producing = false;
    const kills = await nemesis;
    await ctx.nemesis.healAll();
    await ctx.bank.setFaults({});
    const settleMs = await settle(ctx, { deadlineMs: 90_000 });
    const times = (await Promise.all(takeovers)).filter((t): t is number => t !== null);
    const state = await gatherFinalState(ctx);
    return {
      checks: standardChecks(state, complete(ctx.recorder.ops)),
      figures: {
        kills,
        stalled_takeover_ms_p50: times.length
          ? (times.sort((a, b) => a - b)[Math.floor(times.length / 2)] ?? 0)
          : 0,
        stalled_takeover_ms_max: times.length ? Math.max(...times) : 0,
        ...stateFigures(state),
        settle_ms: settleMs,
      },
    };
  },
};

async function client(
  ctx: ScenarioContext,
  account: FundedAccount,
  c: number,
  count: number,
  deadline: number,
) {
  const process = ctx.recorder.process();
  for (let i = 0; i < count; i++) {
    const req = {
      idempotencyKey: `wk-${ctx.seed}-${c}-${i}`,
      accountId: account.accountId,
      amount: 100,
      currency: 'USD',
      destination: `IBAN-${c}`,
    };
    await payoutUntilDefinite(ctx, process, account, req, { deadline, retryEveryMs: 100 });
  }
}

async function processingIds(ctx: ScenarioContext): Promise<string[]> {
  const { rows } = await ctx.db.query<{ id: string }>(
    "SELECT id FROM bank_transfers WHERE status = 'PROCESSING'",
  );
  return rows.map((r) => r.id);
}

/** How long until every transfer that was PROCESSING at the kill has finished (null: not within 60 s). */
async function takeoverMs(ctx: ScenarioContext, ids: string[]): Promise<number | null> {
  const start = Date.now();
  while (Date.now() - start < 60_000) {
    const { rows } = await ctx.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM bank_transfers WHERE id = ANY($1) AND status = 'PROCESSING'",
      [ids],
    );
    if ((rows[0]?.n ?? 0) === 0) return Date.now() - start;
    await sleep(100);
  }
  return null;
}
