import type { CheckResult } from '../core/check-result.ts';
import type { Completed } from '../core/history.ts';
import { ErrorExamples } from './error-examples.ts';
import { keyIdentity } from './response.ts';

/** A payout the final state holds: its account and key, and when it was written (ms since the epoch). */
export interface WrittenPayout {
  accountId: string;
  key: string;
  writtenAt: number;
}

interface WrittenLate {
  idempotencyKey: string;
  /** From the last request with this key to the write. */
  writtenAfterMs: number;
  deadlineMs: number;
}

/**
 * No payout was written after its deadline: each written payout of the history (found by its key in the
 * final state) was written within `deadlineMs` (+ `slackMs` for the request's way to the service) of the
 * last request that carried its key — so a payout refused or left unknown at its deadline was not
 * written later, when the database came back. `runStartedAt` (ms since the epoch) is the history's time
 * 0. A history whose payouts left no write to judge fails (a pause that let nothing through proves nothing).
 */
export function writtenByDeadline(
  ops: readonly Completed[],
  written: readonly WrittenPayout[],
  opts: { deadlineMs: number; slackMs: number; runStartedAt: number },
): CheckResult {
  const lastAsked = new Map<string, number>();
  for (const op of ops) {
    if (op.f !== 'payout' && op.f !== 'replay') continue;
    const identity = keyIdentity(op);
    if (identity) lastAsked.set(identity, Math.max(lastAsked.get(identity) ?? 0, op.invokedAt));
  }
  const errors = new ErrorExamples<WrittenLate>();
  let judged = 0;
  let afterMax = 0;
  for (const w of written) {
    const askedAt = lastAsked.get(
      keyIdentity({ request: { accountId: w.accountId, idempotencyKey: w.key } }) ?? '',
    );
    if (askedAt === undefined) continue;
    judged++;
    const writtenAfterMs = Math.round(w.writtenAt - (opts.runStartedAt + askedAt));
    afterMax = Math.max(afterMax, writtenAfterMs);
    if (writtenAfterMs > opts.deadlineMs + opts.slackMs)
      errors.add(
        { idempotencyKey: w.key, writtenAfterMs, deadlineMs: opts.deadlineMs },
        { score: writtenAfterMs },
      );
  }
  if (judged === 0) errors.add({ idempotencyKey: '', writtenAfterMs: 0, deadlineMs: opts.deadlineMs });
  return errors.result({
    name: 'written-by-deadline',
    description: `No payout was written later than its deadline (${opts.deadlineMs} ms after it was asked for): one refused or unknown at its deadline was never written when the database came back.`,
    figures: { written: judged, written_after_ms_max: afterMax },
  });
}
