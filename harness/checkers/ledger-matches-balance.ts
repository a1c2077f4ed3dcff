import type { CheckResult } from '../core/check-result.ts';
import { ErrorExamples } from './error-examples.ts';
import type { FinalState } from './final-state.ts';

/** Every account's stored balance equals the sum of its ledger entries. */
export function ledgerMatchesBalance(state: FinalState): CheckResult {
  const errors = new ErrorExamples<{
    accountId: string;
    balance: number;
    ledgerSum: number;
    difference: number;
  }>();
  for (const a of state.accounts) {
    const difference = a.balance - a.ledgerSum;
    if (difference !== 0) {
      errors.add(
        { accountId: a.id, balance: a.balance, ledgerSum: a.ledgerSum, difference },
        { score: Math.abs(difference) },
      );
    }
  }
  return errors.result({
    name: 'ledger-matches-balance',
    description: 'Every account’s balance equals the sum of its ledger entries.',
    figures: { accounts: state.accounts.length },
  });
}
