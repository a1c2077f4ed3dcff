import type { CheckResult } from '../core/check-result.ts';
import type { Completed } from '../core/history.ts';
import { ErrorExamples } from './error-examples.ts';
import type { FinalState } from './final-state.ts';
import { createdId } from './response.ts';

/**
 * Every payout the service acknowledged (an `ok` 201 with a body id, to a `payout` or its `replay`) exists
 * at the end. Unacknowledged (`info`) payouts may or may not exist: either is fine.
 */
export function acknowledgedDurable(state: FinalState, ops: Completed[]): CheckResult {
  const known = new Set(state.transfers.map((t) => t.id));
  const acknowledged = new Set<string>();
  const errors = new ErrorExamples<{ transferId: string; process: number; acknowledgedAt: number | null }>();
  let found = 0;

  for (const op of ops) {
    if (op.f !== 'payout' && op.f !== 'replay') continue;
    const id = createdId(op);
    if (id === undefined || acknowledged.has(id)) continue;
    acknowledged.add(id);
    if (known.has(id)) found++;
    else errors.add({ transferId: id, process: op.process, acknowledgedAt: op.completedAt });
  }

  return errors.result({
    name: 'acknowledged-durable',
    description:
      'Every payout acknowledged with 201 is present in the final state: no acknowledged write was lost.',
    figures: { acknowledged: acknowledged.size, found },
  });
}
