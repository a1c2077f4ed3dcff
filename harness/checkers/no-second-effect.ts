import type { CheckResult } from '../core/check-result.ts';
import type { Completed } from '../core/history.ts';
import { ErrorExamples } from './error-examples.ts';
import { createdId, keyIdentity } from './response.ts';

/**
 * Retrying with one Idempotency-Key never creates a second payout: among `payout` and `replay` ops with
 * the same key, every `ok` 201 carries the same id.
 */
export function noSecondEffect(ops: Completed[]): CheckResult {
  const idsByKey = new Map<string, Set<string>>();
  let acknowledged = 0;
  for (const op of ops) {
    if (op.f !== 'payout' && op.f !== 'replay') continue;
    const key = keyIdentity(op);
    const id = createdId(op);
    if (key === undefined || id === undefined) continue;
    acknowledged++;
    const ids = idsByKey.get(key);
    if (ids) ids.add(id);
    else idsByKey.set(key, new Set([id]));
  }

  const errors = new ErrorExamples<{ idempotencyKey: string; ids: string[] }>();
  let keysWithSecondEffect = 0;
  for (const [key, ids] of idsByKey) {
    if (ids.size < 2) continue;
    keysWithSecondEffect++;
    errors.add({ idempotencyKey: key.slice(key.indexOf('\u0000') + 1), ids: [...ids] }, { score: ids.size });
  }
  return errors.result({
    name: 'no-second-effect',
    description: 'Requests sharing an Idempotency-Key were acknowledged with one and the same payout id.',
    figures: { keys: idsByKey.size, acknowledged, keys_with_second_effect: keysWithSecondEffect },
  });
}
