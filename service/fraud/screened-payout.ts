import { AppError, DatabaseUnavailable } from '../errors.ts';
import { type MoneyDeps, type MoneyResult, type PayoutInput, payout } from '../money/operations.ts';
import { fraudHolds } from './metrics.ts';
import type { FraudScreen } from './screen.ts';

/**
 * A payout through the fraud rules: screened first (one Redis script, outside the transaction), then
 * written in one round trip — PENDING for the relay, or MANUAL_REVIEW with its hold when a rule says so.
 * A payout that certainly did not happen (refused, or a replay of an earlier one) is taken back out of
 * the window, so it never counts against the user; one whose outcome is unknown stays counted.
 */
export async function screenedPayout(
  deps: { money: MoneyDeps; fraud: FraudScreen },
  input: Omit<PayoutInput, 'holdReason'>,
): Promise<MoneyResult> {
  const screening = await deps.fraud.screen(input);
  let result: MoneyResult;
  try {
    result = await payout(deps.money, { ...input, holdReason: screening.hold });
  } catch (err) {
    if (err instanceof AppError && !(err instanceof DatabaseUnavailable)) await screening.forget();
    throw err;
  }
  if (result.held && screening.hold) fraudHolds.inc({ reason: screening.hold });
  else if (result.replayed || result.status !== 201) await screening.forget();
  return result;
}
