import { acknowledgedBefore, acknowledgedJustBefore } from '../chaos/evidence.ts';
import type { Fault } from '../chaos/nemesis.ts';
import type { ScenarioContext } from './scenario.ts';
import type { FundedAccount } from './setup.ts';
import { payoutUntilDefinite, sleep } from './workload.ts';

/**
 * A burst of payouts fired at once, for a crash to land on: commits are being made and acknowledged
 * while it happens, so the last second before the kill holds acknowledged payouts that a durability
 * hole (a commit acknowledged before its WAL is flushed, or before the standby has it) would lose.
 */
export interface CommitBurst {
  /** Resolves once `aimAt` payouts of the burst were acknowledged (or after `aimWithinMs`, armed or not). */
  armed: Promise<void>;
  /** Resolves once every payout of the burst has a definite answer (or its client gave up). */
  done: Promise<void>;
  acknowledged(): number;
}

/**
 * Fires one careful payout per account (`perAccount` each, on different accounts so they commit in
 * parallel rather than queue on one row lock). Aiming at a quarter of the burst acknowledged leaves the
 * other three quarters committing when the caller strikes.
 */
export function commitBurst(
  ctx: ScenarioContext,
  opts: {
    accounts: FundedAccount[];
    perAccount: number;
    keyPrefix: string;
    deadline: () => number;
    aimWithinMs?: number;
  },
): CommitBurst {
  const size = opts.accounts.length * opts.perAccount;
  const aimAt = Math.max(1, Math.floor(size / 4));
  let acknowledged = 0;
  let arm: () => void = () => {};
  const armed = new Promise<void>((resolve) => {
    arm = resolve;
  });
  const done = Promise.all(
    Array.from({ length: size }, async (_, i) => {
      const account = opts.accounts[i % opts.accounts.length] as FundedAccount;
      const outcome = await payoutUntilDefinite(
        ctx,
        ctx.recorder.process(),
        account,
        {
          idempotencyKey: `${opts.keyPrefix}-${i}`,
          accountId: account.accountId,
          amount: 100,
          currency: account.currency,
          destination: `IBAN-burst-${i % opts.accounts.length}`,
        },
        { deadline: opts.deadline, retryEveryMs: 200 },
      );
      if (outcome.type === 'ok' && ++acknowledged >= aimAt) arm();
    }),
  ).then(() => arm());
  void sleep(opts.aimWithinMs ?? 5_000).then(() => arm());
  return { armed, done: done.then(() => undefined), acknowledged: () => acknowledged };
}

/** When a strike landed, and what was at risk. */
export interface Strike<T> {
  /** The injection, on the recorder's clock. */
  at: number;
  /** Payouts acknowledged in the second before it (see acknowledgedBefore). */
  acknowledgedBefore: number;
  /** What `whileActive` measured. */
  measured: T;
}

/**
 * Fires a burst (commitBurst), injects `fault` once it is armed, runs `whileActive` (measurements, a
 * wait) and heals. The fault's evidence is the payouts acknowledged in the second before it, so a strike
 * that caught no commit counts for nothing. The burst goes on in the background: its promise joins
 * `bursts`, for the caller to await before checking.
 */
export async function strikeDuringBurst<T>(
  ctx: ScenarioContext,
  opts: {
    accounts: FundedAccount[];
    keyPrefix: string;
    deadline: () => number;
    fault: Fault;
    what: string;
    bursts: Promise<void>[];
    whileActive: (since: { at: number; wallMs: number }) => Promise<T>;
  },
): Promise<Strike<T>> {
  const burst = commitBurst(ctx, {
    accounts: opts.accounts,
    perAccount: 2,
    keyPrefix: opts.keyPrefix,
    deadline: opts.deadline,
  });
  opts.bursts.push(burst.done);
  await burst.armed;
  const fault = acknowledgedJustBefore(opts.fault, ctx.recorder.ops);
  const at = ctx.recorder.now();
  const wallMs = Date.now();
  await ctx.nemesis.inject(fault, `${opts.what}, ${burst.acknowledged()} of a burst acknowledged`);
  const measured = await opts.whileActive({ at, wallMs });
  await ctx.nemesis.heal(fault);
  return { at, acknowledgedBefore: acknowledgedBefore(ctx.recorder.ops, at), measured };
}
