import { percentile } from '../../lib/percentile.ts';
import { hitsAfter } from '../chaos/evidence.ts';
import type { Fault } from '../chaos/nemesis.ts';
import { complete, type FinalTransfer } from '../checkers/index.ts';
import {
  healthyLatencyBounded,
  type PoisonPayout,
  type PoisonSnapshot,
  poisonDeadLettered,
  replaySettledOnce,
} from '../checkers/poison.ts';
import { gatherFinalState, settle, terminalTimes, transfersNow } from '../runner/final-state.ts';
import type { Scenario, ScenarioContext } from '../runner/scenario.ts';
import { type FundedAccount, fundedAccounts } from '../runner/setup.ts';
import { payoutOp, sleep, standardChecks } from '../runner/workload.ts';

const CLIENTS = 8;
const ATTEMPTS = 3;
/** Rows the bank refuses on every attempt (a lowercase currency): our bug, held for a replay. */
const CORRUPT_PER_ACCOUNT = 4;
/** In the poison phase, every n-th payout goes to a destination the bank always declines. */
const DECLINE_EVERY = 8;
/** Healthy payouts' p99 with poison about may be at most this many times their p99 without… */
const LATENCY_FACTOR = 2;
/** …plus this much, for the noise of a shared machine. */
const LATENCY_SLACK_MS = 500;

/**
 * Poison payouts — declined by the bank, or rows the bank refuses on every attempt — mixed into a steady
 * flow of healthy ones. Each poison job must reach the dead-letter queue after its attempts (declines
 * refunded once, corrupt rows held); healthy payouts must not slow down beyond a stated bound of the
 * runs without poison around it; and once the cause is removed, replaying the dead letters must settle
 * the replayable ones, exactly once.
 */
export const poisonJob: Scenario = {
  name: 'poison-job',
  summary:
    'declined and corrupt payouts among healthy ones: each dead-lettered after its attempts, healthy latency kept, replay after the fix settles once',
  checks: [
    'poison-dead-lettered',
    'healthy-latency-bounded',
    'replay-settled-once',
    'refunded-once',
    'bank-charged-once',
    '…standard',
  ],
  faults: ['poison'],
  // Corrupt rows written behind the API, and the dead-letter queue read and replayed.
  needs: ['users', 'funding', 'state', 'bank', 'native:seed', 'native:queue'],
  sabotages: [{ sabotage: 'unbounded-retries', caughtBy: ['poison-dead-lettered'] }],
  plan: () => ({
    workers: 2,
    // No recon: only the dead-letter queue and its replay may bring a poison payout back.
    recon: false,
    proxies: false,
    env: { WORKER_ATTEMPTS: String(ATTEMPTS), WORKER_BACKOFF_MS: '300', RELAY_POLL_MS: '200' },
  }),
  async run(ctx) {
    const phaseMs = ctx.scale === 'full' ? 30_000 : 6_000;
    const accounts = await fundedAccounts(ctx, CLIENTS, 10_000_000);
    await ctx.bank.setFaults({ seed: ctx.seed, latencyMs: 20 });

    const before = await phase(ctx, accounts, 'a', phaseMs, { declineEvery: 0 });
    let corrupt: string[] = [];
    let snapshot: PoisonSnapshot | null = null;
    const fault = hitsAfter(
      poisonRows(ctx, accounts, (ids) => (corrupt = ids)),
      'poison jobs dead-lettered',
      () => snapshot?.letters.size ?? 0,
    );
    await ctx.nemesis.inject(
      fault,
      `${CORRUPT_PER_ACCOUNT * CLIENTS} corrupt rows, every ${DECLINE_EVERY}th payout declined`,
    );
    const during = await phase(ctx, accounts, 'b', phaseMs, { declineEvery: DECLINE_EVERY });
    const after = await phase(ctx, accounts, 'c', phaseMs, { declineEvery: 0 });

    const declined = (await transfersNow(ctx)).filter(isDeclined).map((t) => t.id);
    const poison: PoisonPayout[] = [
      ...declined.map((id) => ({ id, kind: 'declined' as const })),
      ...corrupt.map((id) => ({ id, kind: 'corrupt' as const })),
    ];
    snapshot = await whenDeadLettered(ctx, poison, 20_000);
    await ctx.nemesis.heal(fault); // the cause removed: the corrupt rows repaired
    const replayed = await ctx.target.native.queue.replayDeadLetters();
    await settle(ctx, { deadlineMs: 60_000 });

    const state = await gatherFinalState(ctx);
    const lettersLeft = new Set((await ctx.target.native.queue.deadLetters()).map((l) => l.transferId));
    const corruptIds = new Set(corrupt);
    const healthyIn = (window: Window) => (t: FinalTransfer) =>
      t.createdAt !== undefined &&
      t.createdAt >= window.from.getTime() &&
      t.createdAt < window.to.getTime() &&
      !isDeclined(t) &&
      !corruptIds.has(t.id);
    const p99 = async (window: Window) =>
      Math.round(percentile(await terminalTimes(ctx, healthyIn(window)), 0.99));
    const baseline = Math.max(await p99(before), await p99(after));
    const withPoison = await p99(during);
    const ops = complete(ctx.recorder.ops);
    const final = replaySettledOnce(poison, state, lettersLeft);
    return {
      checks: [
        poisonDeadLettered(snapshot),
        healthyLatencyBounded({
          p99Ms: withPoison,
          baselineP99Ms: baseline,
          factor: LATENCY_FACTOR,
          slackMs: LATENCY_SLACK_MS,
        }),
        final,
        ...standardChecks(state, ops),
      ],
      figures: {
        dead_lettered: snapshot.letters.size,
        refunded: state.transfers.filter((t) => declined.includes(t.id) && t.refunds > 0).length,
        healthy_latency_ms_p99: withPoison,
        healthy_latency_ms_p99_baseline: baseline,
        replay_settled: final.figures?.replaySettled ?? 0,
        replayed,
        corrupt: corrupt.length,
        declined: declined.length,
      },
    };
  },
};

interface Window {
  from: Date;
  to: Date;
}

/** One phase of steady load, its bounds on the database's clock (transfers' created_at). */
async function phase(
  ctx: ScenarioContext,
  accounts: FundedAccount[],
  tag: string,
  durationMs: number,
  opts: { declineEvery: number },
): Promise<Window> {
  const from = await ctx.target.native.now();
  await load(ctx, accounts, tag, Date.now() + durationMs, opts.declineEvery);
  return { from, to: await ctx.target.native.now() };
}

/** The steady load: each client pays out, then pauses a little; every n-th payout is declined. */
async function load(
  ctx: ScenarioContext,
  accounts: FundedAccount[],
  tag: string,
  stopAt: number,
  declineEvery: number,
): Promise<void> {
  await Promise.all(
    accounts.map(async (account, c) => {
      const process = ctx.recorder.process();
      for (let i = 0; Date.now() < stopAt; i++) {
        const poisoned = declineEvery > 0 && (i + c) % declineEvery === 0;
        await payoutOp(ctx, process, account, {
          idempotencyKey: `pj-${ctx.seed}-${tag}-${c}-${i}`,
          accountId: account.accountId,
          amount: 100,
          currency: 'USD',
          destination: poisoned ? `DECLINE-${c}` : `IBAN-${c}`,
        });
        await sleep(40);
      }
    }),
  );
}

/**
 * The poison fault: rows written behind the API with a currency the bank refuses (every attempt throws);
 * its heal removes the cause, repairing them, so that a replay can pay them.
 */
function poisonRows(ctx: ScenarioContext, accounts: FundedAccount[], seeded: (ids: string[]) => void): Fault {
  let ids: string[] = [];
  return {
    kind: 'poison',
    target: 'payouts',
    inject: async () => {
      ids = await ctx.target.native.seedStuck({
        accountIds: accounts.map((a) => a.accountId),
        perAccount: CORRUPT_PER_ACCOUNT,
        amount: 100,
        currency: 'usd',
        fresh: true,
      });
      seeded(ids);
    },
    heal: async () => {
      await ctx.target.native.setCurrency(ids, 'USD');
    },
  };
}

/** Waits (up to a deadline) until every poison job is dead-lettered, then snapshots how they stand. */
async function whenDeadLettered(
  ctx: ScenarioContext,
  poison: PoisonPayout[],
  deadlineMs: number,
): Promise<PoisonSnapshot> {
  const until = Date.now() + deadlineMs;
  let letters: Array<{ transferId: string; attemptsMade: number }> = [];
  for (;;) {
    letters = await ctx.target.native.queue.deadLetters();
    const have = new Set(letters.map((l) => l.transferId));
    if (poison.every((p) => have.has(p.id)) || Date.now() > until) break;
    await sleep(250);
  }
  const ids = poison.map((p) => p.id);
  const wanted = new Set(ids);
  const rows = (await transfersNow(ctx)).filter((t) => wanted.has(t.id));
  const charged = new Set(
    (await ctx.bank.allCharges()).filter((c) => c.status === 'charged').map((c) => c.reference),
  );
  return {
    poison,
    letters: new Map(letters.map((l) => [l.transferId, l.attemptsMade])),
    statuses: new Map(rows.map((r) => [r.id, r.status])),
    charged: new Set(ids.filter((id) => charged.has(id))),
    attempts: ATTEMPTS,
  };
}

/** A payout to a destination the bank always declines. */
function isDeclined(t: FinalTransfer): boolean {
  return t.destination?.startsWith('DECLINE') ?? false;
}
