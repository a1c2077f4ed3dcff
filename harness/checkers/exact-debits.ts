import type { CheckResult } from '../core/check-result.ts';
import type { Completed } from '../core/history.ts';
import { ErrorExamples } from './error-examples.ts';
import type { FinalState } from './final-state.ts';
import { createdId, field, responseBody } from './response.ts';

/** What a scenario that overspends one account on purpose expects to be left. */
export interface ExpectedDebits {
  accountId: string;
  /** How many payouts the funds could afford: exactly that many must not be FAILED. */
  expectedSettledCount: number;
  expectedBalance: number;
}

type DebitError =
  | { kind: 'account-missing'; accountId: string }
  | { kind: 'debit-count'; accountId: string; expected: number; actual: number }
  | { kind: 'balance'; accountId: string; expected: number; actual: number }
  | { kind: 'over-acknowledged'; accountId: string; expected: number; acknowledged: number };

/**
 * Concurrent payouts against one account debit it exactly as often as its funds allow: the number of
 * non-FAILED transfers and the final balance are as expected, and the service never acknowledged more
 * distinct payouts than were affordable.
 */
export function exactDebits(expected: ExpectedDebits, state: FinalState, ops: Completed[]): CheckResult {
  const { accountId, expectedSettledCount, expectedBalance } = expected;
  const errors = new ErrorExamples<DebitError>();

  const account = state.accounts.find((a) => a.id === accountId);
  if (!account) errors.add({ kind: 'account-missing', accountId });
  else if (account.balance !== expectedBalance) {
    errors.add(
      { kind: 'balance', accountId, expected: expectedBalance, actual: account.balance },
      { score: Math.abs(account.balance - expectedBalance) },
    );
  }

  const debited = state.transfers.filter((t) => t.accountId === accountId && t.status !== 'FAILED');
  if (debited.length !== expectedSettledCount) {
    errors.add(
      { kind: 'debit-count', accountId, expected: expectedSettledCount, actual: debited.length },
      { score: Math.abs(debited.length - expectedSettledCount) },
    );
  }

  const acknowledged = new Set<string>();
  for (const op of ops) {
    if (op.f !== 'payout' && op.f !== 'replay') continue;
    const id = createdId(op);
    if (id !== undefined && isForAccount(op, accountId)) acknowledged.add(id);
  }
  if (acknowledged.size > expectedSettledCount) {
    errors.add(
      {
        kind: 'over-acknowledged',
        accountId,
        expected: expectedSettledCount,
        acknowledged: acknowledged.size,
      },
      { score: acknowledged.size - expectedSettledCount },
    );
  }

  const figures: Record<string, number> = {
    expected_settled: expectedSettledCount,
    debited: debited.length,
    settled: debited.filter((t) => t.status === 'SETTLED').length,
    acknowledged: acknowledged.size,
    expected_balance_cents: expectedBalance,
  };
  if (account) figures.balance_cents = account.balance;
  return errors.result({
    name: 'exact-debits',
    description:
      'The account was debited exactly as many times as its funds allowed, no more payouts were acknowledged, and its balance is as expected.',
    figures,
  });
}

/** Whether an op concerns the account; an op that names no account is assumed to (single-account runs). */
function isForAccount(op: Completed, accountId: string): boolean {
  const named = field(responseBody(op), 'accountId') ?? field(op.request, 'accountId');
  return named === undefined || named === accountId;
}
