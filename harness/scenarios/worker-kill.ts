import { complete, type FinalTransfer } from '../checkers/index.ts';
import { gatherFinalState, settle, sharedTransfers } from '../runner/final-state.ts';
import { killWorker } from '../runner/queue-probes.ts';
import type { Scenario, ScenarioContext } from '../runner/scenario.ts';
import { type FundedAccount, fundedAccounts } from '../runner/setup.ts';
import { between, payoutUntilDefinite, sleep, standardChecks, stateFigures } from '../runner/workload.ts';
import type { Component } from '../target/target.ts';

/**
 * How long the payouts get to finish once the kills stop. A SIGKILLed worker's jobs come back when its
 * lock has expired and BullMQ's stalled check has seen them twice: natively (1 s intervals) within
 * seconds; with the production defaults a black-box target such as `npm run up` keeps (30 s lock, 30 s
 * check) a clean-clone CI run took them back 90 s after the last kill.
 */
const SETTLE_DEADLINE_MS = 150_000;

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
  needs: ['users', 'funding', 'state', 'bank', 'kill:worker'],
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

    const workers = () => ctx.target.components('worker');
    const transfers = sharedTransfers(ctx, 100);
    let producing = true;
    const takeovers: Promise<number | null>[] = [];
    const nemesis = (async () => {
      let kills = 0;
      while (producing) {
        await sleep(between(ctx.rng, 700, 2_000));
        const pool = workers();
        const victim = pool[between(ctx.rng, 0, pool.length - 1)] as Component;
        const fault = killWorker(ctx, victim);
        const inFlight = (await transfers()).filter((t) => t.status === 'PROCESSING').map((t) => t.id);
        await ctx.nemesis.inject(fault, `${inFlight.length} transfers in PROCESSING`);
        takeovers.push(takeoverMs(transfers, inFlight));
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
    const settleMs = await settle(ctx, { deadlineMs: SETTLE_DEADLINE_MS });
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

/** How long until every transfer that was PROCESSING at the kill has finished (null: not within 60 s). */
async function takeoverMs(transfers: () => Promise<FinalTransfer[]>, ids: string[]): Promise<number | null> {
  const start = Date.now();
  const held = new Set(ids);
  while (Date.now() - start < 60_000) {
    const still = (await transfers()).filter((t) => held.has(t.id) && t.status === 'PROCESSING');
    if (still.length === 0) return Date.now() - start;
    await sleep(100);
  }
  return null;
}
