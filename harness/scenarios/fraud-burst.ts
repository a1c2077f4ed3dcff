import {
  type ExpectedHolds,
  type HoldRecord,
  heldNeverPaid,
  holdsAsExpected,
  legitNotDelayed,
  reviewsResolved,
} from '../checkers/fraud-holds.ts';
import { complete } from '../checkers/index.ts';
import { gatherFinalState, queuedJobs, settle, transfersNow } from '../runner/final-state.ts';
import type { Scenario, ScenarioContext } from '../runner/scenario.ts';
import { type FundedAccount, fundedAccounts } from '../runner/setup.ts';
import { between, type PayoutRequest, payoutOp, sleep, standardChecks } from '../runner/workload.ts';

/** The rules under test: 10 payouts or 5,000.00 per 2 minutes per user, 10× the median of the last 20. */
const MAX_PAYOUTS = 10;
const MAX_AMOUNT = 500_000;
const ENV = {
  // A burst of one account's payouts queues on its row lock (held ones are debited too); on a busy
  // machine the last of 40 can wait near the 2 s default, and a timed-out payout is no hold at all.
  // The bounds that contain the lock's wait (config.ts orderedTimeouts) grow with it.
  LOCK_TIMEOUT_MS: '30000',
  PAYOUT_DEADLINE_MS: '30000',
  DATABASE_STATEMENT_TIMEOUT_MS: '35000',
  DATABASE_QUERY_TIMEOUT_MS: '40000',
  FRAUD_WINDOW_MS: '120000',
  FRAUD_MAX_PAYOUTS: String(MAX_PAYOUTS),
  FRAUD_MAX_AMOUNT: String(MAX_AMOUNT),
  FRAUD_ANOMALY_FACTOR: '10',
  FRAUD_ANOMALY_MIN_SAMPLES: '5',
};

/** Everything but the held payouts is paid and the queue is empty. */
async function drainedButHeld(ctx: ScenarioContext, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    const moving = (await transfersNow(ctx)).filter(
      (t) => t.status === 'PENDING' || t.status === 'PROCESSING',
    );
    if (moving.length === 0 && (await queuedJobs(ctx)) === 0) return;
    await sleep(200);
  }
}

function gatherHolds(ctx: ScenarioContext): Promise<Map<string, HoldRecord>> {
  return ctx.target.native.holds.list();
}

/**
 * Honest users pay out at a steady pace while fraudsters try three ways to drain their accounts: a
 * concurrent burst of payouts (the count rule), a few very large ones (the amount rule) and one far
 * above their usual (the anomaly rule). The held payouts must never reach the bank and the honest ones
 * must not be held; then an operator releases half the holds and refuses the rest.
 */
export const fraudBurst: Scenario = {
  name: 'fraud-burst',
  summary:
    'honest payouts alongside fraud bursts: held payouts never reach the bank, honest ones are not held',
  checks: ['holds-as-expected', 'held-never-paid', 'legit-not-delayed', 'reviews-resolved', '…standard'],
  // No injected fault: the bursts are the workload, and holds-as-expected fails if no rule fired.
  faults: [],
  // The stack started with these rules (the expected holds follow from them), and the holds decided.
  needs: ['users', 'funding', 'state', 'bank', 'native:settings', 'native:holds', 'native:queue'],
  sabotages: [{ sabotage: 'non-atomic-velocity', caughtBy: ['holds-as-expected'] }],
  plan: () => ({ workers: 1, recon: false, proxies: false, env: ENV }),
  async run(ctx) {
    const size =
      ctx.scale === 'full'
        ? { legit: 100, legitPayouts: 10, bursters: 10, burst: 100 }
        : { legit: 20, legitPayouts: 5, bursters: 3, burst: 40 };
    const legit = await fundedAccounts(ctx, size.legit, 100_000);
    const bursters = await fundedAccounts(ctx, size.bursters, 1_000_000);
    const [anomalous, heavy] = await fundedAccounts(ctx, 2, 10_000_000);
    if (!anomalous || !heavy) throw new Error('no accounts');
    let n = 0;
    const request = (a: FundedAccount, amount: number): PayoutRequest => ({
      idempotencyKey: `fb-${ctx.seed}-${n++}`,
      accountId: a.accountId,
      amount,
      currency: 'USD',
      destination: `IBAN-FB-${n}`,
    });
    const sequential = async (a: FundedAccount, amounts: number[], gapMs: () => number) => {
      const p = ctx.recorder.process();
      for (const amount of amounts) {
        await payoutOp(ctx, p, a, request(a, amount));
        await sleep(gapMs());
      }
    };

    ctx.say(
      `${size.legit} honest users × ${size.legitPayouts} payouts; ${size.bursters} bursts of ${size.burst}; an anomaly and an amount drain`,
    );
    const honest = legit.map((a) =>
      sequential(
        a,
        Array.from({ length: size.legitPayouts }, () => between(ctx.rng, 500, 1_500)),
        () => between(ctx.rng, 200, 800),
      ),
    );
    const bursts = (async () => {
      await sleep(500);
      await Promise.all(
        bursters.flatMap((a) =>
          Array.from({ length: size.burst }, () =>
            payoutOp(ctx, ctx.recorder.process(), a, request(a, 1_000)),
          ),
        ),
      );
    })();
    // Six usual payouts (the anomaly rule needs five), then one fifty times the usual.
    const anomaly = sequential(anomalous, [900, 1_000, 1_100, 1_000, 950, 1_050, 50_000], () => 100);
    // 2,000.00 each: the third takes the window over 5,000.00; three samples are too few for a median.
    const drain = sequential(heavy, [200_000, 200_000, 200_000], () => 100);
    await Promise.all([...honest, bursts, anomaly, drain]);

    await drainedButHeld(ctx, 60_000);
    const ops = complete(ctx.recorder.ops);
    const beforeReview = await gatherFinalState(ctx);
    const holds = await gatherHolds(ctx);
    const expected: ExpectedHolds[] = [
      ...legit.map((a) => ({ accountId: a.accountId, held: 0, reason: null })),
      ...bursters.map((a) => ({
        accountId: a.accountId,
        held: size.burst - MAX_PAYOUTS,
        reason: 'velocity_count',
      })),
      { accountId: anomalous.accountId, held: 1, reason: 'amount_anomaly' },
      { accountId: heavy.accountId, held: 1, reason: 'velocity_amount' },
    ];
    const checks = [
      holdsAsExpected(expected, ops, holds),
      heldNeverPaid(ops, beforeReview, holds),
      legitNotDelayed(new Set(legit.map((a) => a.accountId)), ops, beforeReview),
    ];

    // The operator's turn: release every other held payout (on to the bank), refuse the rest (refund).
    let i = 0;
    for (const id of holds.keys()) {
      const decision = i++ % 2 === 0 ? 'release' : 'refuse';
      await ctx.target.native.holds.decide(id, decision, { by: 'fraud-burst', reason: 'scenario review' });
    }
    await settle(ctx, { deadlineMs: 60_000 });
    const state = await gatherFinalState(ctx);
    checks.push(reviewsResolved(await gatherHolds(ctx), state), ...standardChecks(state, ops));
    const figure = (name: string) =>
      Number(checks.find((c) => c.figures?.[name] !== undefined)?.figures?.[name] ?? 0);
    return {
      checks,
      figures: {
        held: figure('held'),
        held_reached_bank: figure('held_reached_bank'),
        legit_latency_ms_p99: figure('legit_latency_ms_p99'),
        released: figure('released'),
        refused: figure('refused'),
      },
    };
  },
};
