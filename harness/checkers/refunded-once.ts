import type { CheckResult } from '../core/check-result.ts';
import { ErrorExamples } from './error-examples.ts';
import type { FinalState, TransferStatus } from './final-state.ts';

type RefundError = {
  kind: 'failed-not-refunded' | 'refunded-more-than-once' | 'refund-amount-mismatch' | 'refunded-not-failed';
  transferId: string;
  status: TransferStatus;
  amount: number;
  refunds: number;
  refunded: number;
};

/**
 * Every FAILED transfer was refunded exactly once, for its amount, by its reversal ledger entry; no
 * transfer that did not fail was refunded at all.
 */
export function refundedOnce(state: FinalState): CheckResult {
  const errors = new ErrorExamples<RefundError>();
  let failed = 0;
  let refunded = 0;
  for (const t of state.transfers) {
    const seen = {
      transferId: t.id,
      status: t.status,
      amount: t.amount,
      refunds: t.refunds,
      refunded: t.refunded,
    };
    if (t.refunds > 0) refunded++;
    if (t.status !== 'FAILED') {
      if (t.refunds > 0) errors.add({ kind: 'refunded-not-failed', ...seen }, { score: t.refunded });
      continue;
    }
    failed++;
    if (t.refunds === 0) errors.add({ kind: 'failed-not-refunded', ...seen }, { score: t.amount });
    else if (t.refunds > 1) errors.add({ kind: 'refunded-more-than-once', ...seen }, { score: t.refunded });
    else if (t.refunded !== t.amount)
      errors.add({ kind: 'refund-amount-mismatch', ...seen }, { score: Math.abs(t.refunded - t.amount) });
  }
  return errors.result({
    name: 'refunded-once',
    description:
      'Every FAILED transfer was refunded exactly once, for its amount, with its reversal ledger entry; nothing else was refunded.',
    figures: { failed, refunded },
  });
}
