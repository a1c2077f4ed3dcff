import type { CheckResult } from '../core/check-result.ts';
import type { Completed } from '../core/history.ts';

/**
 * Every payout invoked inside the window (ms on the history's clock) was accepted with 201 — for a fault
 * the payout path does not depend on. A window in which none was asked for fails: it proves nothing.
 */
export function acceptedDuring(
  ops: readonly Completed[],
  window: { from: number; to: number },
  check: { name: string; description: string },
): CheckResult {
  const during = ops.filter(
    (o) => o.f === 'payout' && o.invokedAt >= window.from && o.invokedAt <= window.to,
  );
  const accepted = during.filter(
    (o) => o.type === 'ok' && (o.response as { status?: number })?.status === 201,
  );
  const refused = during.filter((o) => !accepted.includes(o));
  return {
    ...check,
    valid: accepted.length > 0 && refused.length === 0,
    errorCount: refused.length + (accepted.length === 0 ? 1 : 0),
    ...(refused[0] ? { first: refused[0], last: refused[refused.length - 1] } : {}),
    figures: { asked: during.length, accepted: accepted.length },
  };
}
