import type { FinalState } from '../checkers/final-state.ts';
import {
  acknowledgedDurable,
  allTerminal,
  bankChargedOnce,
  ledgerMatchesBalance,
  moneyConserved,
  noNegativeBalance,
  queueDrained,
  refundedOnce,
  refusalsChangedNothing,
  unknownsResolved,
} from '../checkers/index.ts';
import {
  type Histogram,
  histogramDelta,
  maxBound,
  quantile,
  scrapeHistogram,
} from '../client/metrics-scrape.ts';
import type { CheckResult } from '../core/check-result.ts';
import type { Completed, Outcome } from '../core/history.ts';
import type { ScenarioContext } from './scenario.ts';
import type { FundedAccount } from './setup.ts';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A whole number in [min, max] from the scenario's seeded PRNG. */
export function between(rng: () => number, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

export interface PayoutRequest {
  idempotencyKey: string;
  accountId: string;
  amount: number;
  currency: string;
  destination: string;
}

/** One payout through the API, recorded as `f` ('payout', or 'replay' for a retry with the same key). */
export function payoutOp(
  ctx: ScenarioContext,
  process: number,
  account: FundedAccount,
  req: PayoutRequest,
  f: 'payout' | 'replay' = 'payout',
): Promise<Outcome> {
  const { idempotencyKey, ...body } = req;
  return ctx.recorder.run(process, f, req, () => ctx.api.payout(account.apiKey, idempotencyKey, body));
}

/**
 * A payout as a careful client makes it: retried with the same Idempotency-Key while the answer is
 * unknown (info) or a retryable refusal (503, 409), until a definite answer or the deadline (a time, or
 * a function read before each retry, so a scenario can bring it forward once its faults are over).
 */
export async function payoutUntilDefinite(
  ctx: ScenarioContext,
  process: number,
  account: FundedAccount,
  req: PayoutRequest,
  opts: { deadline: number | (() => number); retryEveryMs: number },
): Promise<Outcome> {
  const deadline = typeof opts.deadline === 'function' ? opts.deadline : () => opts.deadline as number;
  let outcome = await payoutOp(ctx, process, account, req);
  while (Date.now() < deadline() && !isDefinite(outcome)) {
    await sleep(opts.retryEveryMs);
    outcome = await payoutOp(ctx, process, account, req, 'replay');
  }
  return outcome;
}

/** A definite answer: it happened, or it certainly did not and retrying would not change that. */
export function isDefinite(o: Outcome): boolean {
  if (o.type === 'ok') return true;
  const status = (o.value as { status?: number } | null)?.status;
  return o.type === 'fail' && status !== 503 && status !== 409;
}

/** A balance read through the API, recorded as 'read'. */
export function readOp(ctx: ScenarioContext, process: number, account: FundedAccount): Promise<Outcome> {
  return ctx.recorder.run(process, 'read', { accountId: account.accountId }, () =>
    ctx.api.account(account.apiKey, account.accountId),
  );
}

/**
 * The invariants every money scenario must keep, whatever its faults; queue-drained only where the
 * final state shows the queue (the native stack).
 */
export function standardChecks(state: FinalState, ops: Completed[]): CheckResult[] {
  const { queue } = state;
  return [
    moneyConserved(state),
    ledgerMatchesBalance(state),
    noNegativeBalance(state, ops),
    acknowledgedDurable(state, ops),
    bankChargedOnce(state),
    refundedOnce(state),
    allTerminal(state),
    ...(queue ? [queueDrained({ queue })] : []),
    unknownsResolved(state, ops),
    refusalsChangedNothing(state, ops),
  ];
}

/** The API processes' payout lock histograms now; null without /metrics URLs or when one is silent. */
export type LockHistograms = Record<'lock_wait' | 'lock_hold', Histogram> | null;

/** Reads them, to be passed to lockFigures() at the end: the figures then cover only what came between. */
export async function lockHistograms(ctx: ScenarioContext): Promise<LockHistograms> {
  const urls = ctx.target.metrics('api');
  if (urls.length === 0) return null;
  const read = (name: string) => scrapeHistogram(urls, name, { operation: 'payout' });
  try {
    return {
      lock_wait: await read('account_lock_wait_seconds'),
      lock_hold: await read('account_lock_hold_seconds'),
    };
  } catch {
    return null;
  }
}

/**
 * Lock wait and hold p50/p99 (ms) of payouts since `since`, and the bucket bound their maximum is under (`_max_le_ms`),
 * from the API processes' histograms (the reference's account_lock_* metrics, where the target gives
 * /metrics URLs); a maximum above the highest finite bucket is `_max_gt_ms` that bound.
 */
export async function lockFigures(
  ctx: ScenarioContext,
  since: LockHistograms,
): Promise<Record<string, number>> {
  const now = await lockHistograms(ctx);
  const out: Record<string, number> = {};
  for (const label of ['lock_wait', 'lock_hold'] as const) {
    const [a, b] = [since?.[label], now?.[label]];
    if (!a || !b) return out; // no API metrics, or one not answering: no figures rather than made-up ones
    const h = histogramDelta(a, b);
    if (h.count === 0) continue; // no lock taken (a sabotaged run): no figure rather than a made-up 0
    const ms = (s: number) => Math.round(s * 1_000_000) / 1000;
    out[`${label}_ms_p50`] = ms(quantile(h, 0.5));
    out[`${label}_ms_p99`] = ms(quantile(h, 0.99));
    const max = maxBound(h);
    if (Number.isFinite(max)) out[`${label}_max_le_ms`] = ms(max);
    else out[`${label}_max_gt_ms`] = ms(h.buckets.filter((b) => Number.isFinite(b.le)).at(-1)?.le ?? 0);
  }
  return out;
}

/** Figures from the final state: transfers by status and bank calls per transfer. */
export function stateFigures(state: FinalState): Record<string, number> {
  const settled = state.transfers.filter((t) => t.status === 'SETTLED').length;
  const failed = state.transfers.filter((t) => t.status === 'FAILED').length;
  const retries = state.transfers.reduce((n, t) => n + Math.max(0, t.attempts - 1), 0);
  return { transfers: state.transfers.length, settled, failed, worker_retries: retries };
}
