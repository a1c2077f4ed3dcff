import type { CheckResult } from '../core/check-result.ts';
import type { Completed } from '../core/history.ts';
import { ErrorExamples } from './error-examples.ts';

interface Late {
  f: string;
  request: unknown;
  invokedAt: number;
  /** How long it took to be answered; null: never answered. */
  waitedMs: number | null;
  outcome: Completed['type'];
  error?: string;
}

/**
 * Every operation `f` accepts was answered within `boundMs` of its invoke — whatever the answer, a
 * refusal or an unknown included: a wait without an end is the failure here. One never answered, or
 * answered only because the client gave up after its own longer timeout, fails; so does a history with
 * no such operation (there was nothing to judge).
 */
export function answeredInTime(
  ops: readonly Completed[],
  opts: { boundMs: number; f: (f: string) => boolean },
): CheckResult {
  const errors = new ErrorExamples<Late>();
  let judged = 0;
  let waitedMax = 0;
  for (const op of ops) {
    if (!opts.f(op.f)) continue;
    judged++;
    const waitedMs = op.completedAt === null ? null : op.completedAt - op.invokedAt;
    if (waitedMs !== null) waitedMax = Math.max(waitedMax, waitedMs);
    if (waitedMs !== null && waitedMs <= opts.boundMs) continue;
    const late: Late = { f: op.f, request: op.request, invokedAt: op.invokedAt, waitedMs, outcome: op.type };
    if (op.error) late.error = op.error;
    errors.add(late, { score: waitedMs ?? Number.POSITIVE_INFINITY });
  }
  if (judged === 0)
    errors.add({
      f: '',
      request: null,
      invokedAt: 0,
      waitedMs: null,
      outcome: 'info',
      error: 'no operation to judge',
    });
  return errors.result({
    name: 'answered-in-time',
    description: `Every payout was answered — accepted, refused or unknown — within the stated bound (${opts.boundMs} ms) of being sent.`,
    figures: { answered_ms_max: Math.round(waitedMax), bound_ms: opts.boundMs, judged },
  });
}
