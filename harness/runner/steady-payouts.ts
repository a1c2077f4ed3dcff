import type { Outcome } from '../core/history.ts';
import { type ArrivalRecord, type LoadResult, runOpen } from '../load/generator.ts';
import { constantRate } from '../load/schedule.ts';
import type { ScenarioContext } from './scenario.ts';
import type { FundedAccount } from './setup.ts';
import { payoutOp, payoutUntilDefinite } from './workload.ts';

/**
 * Payouts at a steady offered rate (the open model, harness/load/generator.ts): each arrival is its own logical
 * process in the history, on the scenario's clock, so a fault window can be read as "of the payouts
 * offered while it lasted, how many were accepted" instead of counting whatever a few closed-loop
 * clients managed to send.
 */

export interface SteadyPayoutOptions {
  accounts: FundedAccount[];
  ratePerS: number;
  /** How long the schedule runs at most; `signal` ends it sooner. */
  durationS: number;
  signal?: AbortSignal;
  /** Keys are `<keyPrefix>-<arrival>`. */
  keyPrefix: string;
  /** A careful client: retries an unknown or retryable answer with the same key until the deadline (read before each retry). */
  careful?: { retryEveryMs: number; deadline: () => number };
  /** Arrivals finding this many payouts outstanding are dropped (counted, never sent). */
  maxInFlight?: number;
}

export interface SteadyPayouts {
  /** Resolves once the schedule has ended and every payout has answered. */
  done: Promise<LoadResult>;
  /** Every arrival as it ended (dropped ones included), on the recorder's clock. */
  records: ArrivalRecord[];
}

const isAccepted = (o: Outcome) => o.type === 'ok' && (o.value as { status?: number } | null)?.status === 201;

/** Starts the payouts; see the module comment. */
export function steadyPayouts(ctx: ScenarioContext, opts: SteadyPayoutOptions): SteadyPayouts {
  const records: ArrivalRecord[] = [];
  const done = runOpen({
    plan: constantRate(opts.ratePerS, opts.durationS),
    maxInFlight: opts.maxInFlight ?? 200,
    now: () => ctx.recorder.now(),
    onRecord: (r) => records.push(r),
    ...(opts.signal ? { signal: opts.signal } : {}),
    // The api client has its own timeouts; a careful client's retries may take until its deadline.
    timeoutMs: 600_000,
    request: async (i) => {
      const account = opts.accounts[i % opts.accounts.length] as FundedAccount;
      const req = {
        idempotencyKey: `${opts.keyPrefix}-${i}`,
        accountId: account.accountId,
        amount: 100,
        currency: account.currency,
        destination: `IBAN-${i % opts.accounts.length}`,
      };
      const process = ctx.recorder.process();
      const outcome = opts.careful
        ? await payoutUntilDefinite(ctx, process, account, req, {
            deadline: opts.careful.deadline,
            retryEveryMs: opts.careful.retryEveryMs,
          })
        : await payoutOp(ctx, process, account, req);
      return isAccepted(outcome) ? { ok: true } : { ok: false, error: outcome.error ?? outcome.type };
    },
  });
  return { done, records };
}

/**
 * The fault window as rates: the offered rate, and of the payouts meant to start inside
 * [from, to] (ms on the recorder's clock; several windows count together), how many were accepted (201,
 * for a careful client possibly by a retry after the fault), per second of the window and as a share of
 * those offered.
 */
export function faultWindowFigures(
  result: LoadResult,
  records: readonly ArrivalRecord[],
  windows: { from: number; to: number } | ReadonlyArray<{ from: number; to: number }>,
): Record<string, number> {
  const all = 'from' in windows ? [windows] : windows;
  const inside = records.filter((r) => all.some((w) => r.intendedAt >= w.from && r.intendedAt <= w.to));
  const accepted = inside.filter((r) => r.ok).length;
  const seconds =
    Math.max(
      all.reduce((ms, w) => ms + (w.to - w.from), 0),
      1,
    ) / 1000;
  const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
  return {
    offered_per_s: round(result.offeredPerS, 1),
    accepted_during_fault_per_s: round(accepted / seconds, 1),
    accepted_during_fault_ratio: inside.length === 0 ? 0 : round(accepted / inside.length, 3),
    payouts_dropped: result.dropped,
    payout_latency_ms_p99: result.latency.p99,
  };
}
