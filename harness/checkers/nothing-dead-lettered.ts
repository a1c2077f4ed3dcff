import type { CheckResult } from '../core/check-result.ts';
import { ErrorExamples } from './error-examples.ts';

/** A dead letter as the checker needs it: the transfer and why its job gave up. */
export interface DeadLetterRecord {
  transferId: string;
  reason: string;
}

/**
 * No payout job was dead-lettered: in a run whose payouts are all healthy, a dead letter means a job
 * ran out of attempts on something that should never have stopped it (a claim that waited on a lock).
 */
export function nothingDeadLettered(letters: readonly DeadLetterRecord[]): CheckResult {
  const errors = new ErrorExamples<DeadLetterRecord>();
  for (const l of letters) errors.add({ transferId: l.transferId, reason: l.reason });
  return errors.result({
    name: 'nothing-dead-lettered',
    description: 'No payout job ran out of attempts: every healthy payout was paid without a dead letter.',
    figures: { dead_lettered: letters.length },
  });
}
