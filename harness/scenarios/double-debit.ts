import { complete, exactDebits, noSecondEffect, replaysMatch } from '../checkers/index.ts';
import { keyReuseRefused, keysScopedPerUser } from '../checkers/key-scope.ts';
import { gatherFinalState, settle } from '../runner/final-state.ts';
import type { Scenario } from '../runner/scenario.ts';
import { fundedAccounts } from '../runner/setup.ts';
import {
  between,
  lockFigures,
  lockHistograms,
  type PayoutRequest,
  payoutOp,
  sleep,
  standardChecks,
  stateFigures,
} from '../runner/workload.ts';

const AMOUNT = 100;
/** Keys of the burst that are reused afterwards with another amount, and that a second user sends too. */
const REUSED_KEYS = 20;

/**
 * Hundreds of concurrent payouts against ONE account that can afford exactly `affordable` of them,
 * plus retries of some with their original idempotency keys, during and after the burst (refusals
 * replayed later among them); then some keys reused with another amount, and a second user sending
 * the same key strings for payouts of its own.
 */
export const doubleDebit: Scenario = {
  name: 'double-debit',
  summary: 'concurrent payouts on one account that can afford exactly N of them, plus keyed replays',
  checks: [
    'exact-debits',
    'replays-match',
    'no-second-effect',
    'key-reuse-refused',
    'keys-scoped-per-user',
    'no-negative-balance',
    'money-conserved',
    '…standard',
  ],
  faults: [],
  needs: ['users', 'funding', 'state', 'bank'],
  sabotages: [
    { sabotage: 'no-row-lock', caughtBy: ['exact-debits', 'money-conserved', 'ledger-matches-balance'] },
    { sabotage: 'no-idempotency', caughtBy: ['replays-match'] },
  ],
  plan: () => ({ workers: 1, recon: false, proxies: false, env: {} }),
  async run(ctx) {
    const size =
      ctx.scale === 'full' ? { payouts: 5_000, affordable: 500 } : { payouts: 1_000, affordable: 100 };
    const [account, other] = await fundedAccounts(ctx, 2, size.affordable * AMOUNT);
    if (!account || !other) throw new Error('no accounts');
    const locksBefore = await lockHistograms(ctx);
    const requests: PayoutRequest[] = Array.from({ length: size.payouts }, (_, i) => ({
      idempotencyKey: `dd-${ctx.seed}-${i}`,
      accountId: account.accountId,
      amount: AMOUNT,
      currency: 'USD',
      destination: `IBAN-${i}`,
    }));
    // Replays of a tenth of the requests: half while the burst is running, half after it.
    const replayed = [
      ...new Set(Array.from({ length: size.payouts / 10 }, () => between(ctx.rng, 0, size.payouts - 1))),
    ];
    const during = replayed.slice(0, replayed.length / 2);
    const after = replayed.slice(replayed.length / 2);
    const delays = during.map(() => between(ctx.rng, 0, 50));

    ctx.say(`firing ${size.payouts} payouts at one account that affords ${size.affordable}`);
    const burst = requests.map((req) => payoutOp(ctx, ctx.recorder.process(), account, req));
    const early = during.map(async (i, n) => {
      await sleep(delays[n] ?? 0);
      return payoutOp(ctx, ctx.recorder.process(), account, requests[i] as PayoutRequest, 'replay');
    });
    await Promise.all([...burst, ...early]);
    await Promise.all(
      after.map((i) =>
        payoutOp(ctx, ctx.recorder.process(), account, requests[i] as PayoutRequest, 'replay'),
      ),
    );

    // The same keys, another amount: refused. The same key strings from another user: its own payouts.
    await Promise.all(
      requests.slice(0, REUSED_KEYS).map((req) => {
        const reuse = { ...req, amount: AMOUNT + 1 };
        const { idempotencyKey, ...body } = reuse;
        return ctx.recorder.run(ctx.recorder.process(), 'reuse', reuse, () =>
          ctx.api.payout(account.apiKey, idempotencyKey, body),
        );
      }),
    );
    await Promise.all(
      requests.slice(0, REUSED_KEYS).map((req) => {
        const theirs = { ...req, accountId: other.accountId };
        const { idempotencyKey, ...body } = theirs;
        return ctx.recorder.run(ctx.recorder.process(), 'other-user', theirs, () =>
          ctx.api.payout(other.apiKey, idempotencyKey, body),
        );
      }),
    );

    const settleMs = await settle(ctx, { deadlineMs: 60_000 });
    const state = await gatherFinalState(ctx);
    const ops = complete(ctx.recorder.ops);
    return {
      checks: [
        exactDebits(
          { accountId: account.accountId, expectedSettledCount: size.affordable, expectedBalance: 0 },
          state,
          ops,
        ),
        replaysMatch(ops),
        noSecondEffect(ops),
        keyReuseRefused(ops),
        keysScopedPerUser(ops, { f: 'other-user', accountId: other.accountId }),
        ...standardChecks(state, ops),
      ],
      figures: {
        ...(await lockFigures(ctx, locksBefore)),
        replays: replayed.length,
        settle_ms: settleMs,
        ...stateFigures(state),
      },
    };
  },
};
