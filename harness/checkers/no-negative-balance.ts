import type { CheckResult } from '../core/check-result.ts';
import type { Completed } from '../core/history.ts';
import { ErrorExamples } from './error-examples.ts';
import type { FinalState } from './final-state.ts';
import { field, responseBody } from './response.ts';

type NegativeBalance =
  | { kind: 'final'; accountId: string; balance: number }
  | { kind: 'observed'; accountId: unknown; balance: number; process: number; time: number | null };

/**
 * No balance is ever below zero: neither at the end nor in any successful read during the run.
 * Reads that ended `info` or `fail` saw nothing and are ignored.
 */
export function noNegativeBalance(state: FinalState, ops: Completed[]): CheckResult {
  const errors = new ErrorExamples<NegativeBalance>();
  let minBalance = Number.POSITIVE_INFINITY;
  let reads = 0;

  for (const op of ops) {
    if (op.type !== 'ok' || op.f !== 'read') continue;
    const body = responseBody(op);
    const balance = field(body, 'balance');
    if (typeof balance !== 'number') continue;
    reads++;
    minBalance = Math.min(minBalance, balance);
    if (balance < 0) {
      errors.add(
        {
          kind: 'observed',
          accountId: field(body, 'id'),
          balance,
          process: op.process,
          time: op.completedAt,
        },
        { score: -balance },
      );
    }
  }
  for (const a of state.accounts) {
    minBalance = Math.min(minBalance, a.balance);
    if (a.balance < 0)
      errors.add({ kind: 'final', accountId: a.id, balance: a.balance }, { score: -a.balance });
  }

  const figures: Record<string, number> = { accounts: state.accounts.length, reads };
  if (Number.isFinite(minBalance)) figures.min_balance_cents = minBalance;
  return errors.result({
    name: 'no-negative-balance',
    description: 'No account balance is negative, at the end or in any successful read during the run.',
    figures,
  });
}
