import type { CheckResult } from '../core/check-result.ts';
import { ErrorExamples } from './error-examples.ts';
import { type FinalState, TRANSFER_STATUSES, type TransferStatus } from './final-state.ts';

/** Every transfer ended SETTLED or FAILED: nothing left pending, processing or parked for manual review. */
export function allTerminal(state: FinalState): CheckResult {
  const errors = new ErrorExamples<{
    transferId: string;
    status: TransferStatus;
    attempts: number;
    reconAttempts: number;
  }>();
  const byStatus = Object.fromEntries(TRANSFER_STATUSES.map((s) => [s, 0])) as Record<TransferStatus, number>;
  for (const t of state.transfers) {
    byStatus[t.status]++;
    if (t.status === 'SETTLED' || t.status === 'FAILED') continue;
    // The transfer that was retried the most is the likeliest to show why the system got stuck.
    errors.add(
      { transferId: t.id, status: t.status, attempts: t.attempts, reconAttempts: t.reconAttempts },
      { score: t.attempts + t.reconAttempts },
    );
  }
  return errors.result({
    name: 'all-terminal',
    description: 'Every transfer reached a terminal status (SETTLED or FAILED) once faults were healed.',
    figures: {
      transfers: state.transfers.length,
      ...Object.fromEntries(Object.entries(byStatus).map(([s, n]) => [s.toLowerCase(), n])),
    },
  });
}
