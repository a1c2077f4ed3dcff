import type { CheckResult } from '../core/check-result.ts';
import { ErrorExamples } from './error-examples.ts';
import { chargedReferences, type FinalState, type FinalTransfer } from './final-state.ts';

type MoneyError =
  | { kind: 'refunded-and-paid'; transferId: string; accountId: string; amount: number }
  | { kind: 'unknown-account'; transferId: string; accountId: string; amount: number }
  | {
      kind: 'mismatch';
      accountId: string;
      fundedNet: number;
      balance: number;
      outflow: number;
      /** fundedNet − (balance + outflow): negative means money appeared, positive means it vanished. */
      discrepancy: number;
    };

/**
 * Every cent funded into an account is either still in its balance or went out in one of its transfers:
 * `fundedNet = balance + Σ outflow(t)`, where a transfer flows out if the bank charged it or it is not
 * FAILED (settled, or still in flight). A FAILED transfer the bank charged was refunded and paid.
 */
export function moneyConserved(state: FinalState): CheckResult {
  const charged = chargedReferences(state);
  const errors = new ErrorExamples<MoneyError>();
  const outflowByAccount = new Map<string, number>(state.accounts.map((a) => [a.id, 0]));
  let totalCharged = 0;
  let totalInFlight = 0;

  for (const t of state.transfers) {
    const out = outflow(t, charged);
    if (charged.has(t.id)) totalCharged += t.amount;
    else totalInFlight += out;
    if (t.status === 'FAILED' && charged.has(t.id)) {
      errors.add(
        { kind: 'refunded-and-paid', transferId: t.id, accountId: t.accountId, amount: t.amount },
        { score: t.amount },
      );
    }
    const sum = outflowByAccount.get(t.accountId);
    if (sum === undefined) {
      // A transfer of an account the state does not hold cannot be balanced: its money is unaccounted.
      errors.add(
        { kind: 'unknown-account', transferId: t.id, accountId: t.accountId, amount: t.amount },
        { score: out },
      );
    } else {
      outflowByAccount.set(t.accountId, sum + out);
    }
  }

  let totalDeposits = 0;
  let totalBalances = 0;
  let totalDiscrepancy = 0;
  for (const a of state.accounts) {
    totalDeposits += a.fundedNet;
    totalBalances += a.balance;
    const out = outflowByAccount.get(a.id) ?? 0;
    const discrepancy = a.fundedNet - (a.balance + out);
    totalDiscrepancy += discrepancy;
    if (discrepancy !== 0) {
      errors.add(
        {
          kind: 'mismatch',
          accountId: a.id,
          fundedNet: a.fundedNet,
          balance: a.balance,
          outflow: out,
          discrepancy,
        },
        { score: Math.abs(discrepancy) },
      );
    }
  }

  return errors.result({
    name: 'money-conserved',
    description:
      'Every account’s funded money equals its balance plus what left it in charged or in-flight transfers, and no failed (refunded) transfer was also paid by the bank.',
    figures: {
      deposits_cents: totalDeposits,
      balances_cents: totalBalances,
      charged_cents: totalCharged,
      in_flight_cents: totalInFlight,
      discrepancy_cents: totalDiscrepancy,
    },
  });
}

/** What a transfer took out of its account: its amount if the bank charged it or it is not FAILED. */
function outflow(t: FinalTransfer, charged: Set<string>): number {
  return charged.has(t.id) || t.status !== 'FAILED' ? t.amount : 0;
}
