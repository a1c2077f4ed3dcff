import type { CheckResult } from '../core/check-result.ts';
import { ErrorExamples } from './error-examples.ts';
import type { FinalState, TransferStatus } from './final-state.ts';

/** The transfers a fault left with an unknown outcome, and those of them the bank had in fact charged. */
export interface UnknownOutcomes {
  unknown: readonly string[];
  chargedAtBank: readonly string[];
}

/**
 * Every transfer whose outcome the worker never learnt ended terminal, and each one the bank had
 * charged ended SETTLED (found by a lookup, not charged again: bank-charged-once checks that part).
 */
export function resolvedByLookup(outcomes: UnknownOutcomes, state: FinalState): CheckResult {
  const errors = new ErrorExamples<{
    kind: 'left-open' | 'charged-not-settled';
    transferId: string;
    status: TransferStatus | 'missing';
  }>();
  const status = new Map(state.transfers.map((t) => [t.id, t.status]));
  const charged = new Set(outcomes.chargedAtBank);
  for (const id of outcomes.unknown) {
    const s = status.get(id) ?? 'missing';
    if (charged.has(id) && s !== 'SETTLED')
      errors.add({ kind: 'charged-not-settled', transferId: id, status: s });
    else if (s !== 'SETTLED' && s !== 'FAILED') errors.add({ kind: 'left-open', transferId: id, status: s });
  }
  return errors.result({
    name: 'resolved-by-lookup',
    description:
      'Every payout whose outcome the partition hid from the worker ended terminal, and each one the bank had charged ended SETTLED.',
    figures: { unknown: outcomes.unknown.length, chargedAtBank: charged.size },
  });
}
