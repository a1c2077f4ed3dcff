import type { CheckResult } from '../core/check-result.ts';
import type { Completed } from '../core/history.ts';
import { ErrorExamples } from './error-examples.ts';
import { keyIdentity } from './response.ts';
import { KEYED_WRITES, type Lookups } from './unknowns-resolved.ts';

/**
 * A refusal (`fail`: 409, 422 key reused, 429, lock_timeout, …) certainly did not happen: a key whose
 * every request was refused holds no effect afterwards. Its stored answer, if any, is a refusal too
 * (422 insufficient_funds is stored against its key and moves no money).
 */
export function refusalsChangedNothing(lookups: Lookups, ops: Completed[]): CheckResult {
  const answers = new Map<string, Completed[]>();
  for (const op of ops) {
    const identity = keyIdentity(op);
    if (!KEYED_WRITES.has(op.f) || !identity) continue;
    const list = answers.get(identity);
    if (list) list.push(op);
    else answers.set(identity, [op]);
  }
  const stored = new Map(
    lookups.keys.map((k) => [keyIdentity({ request: { accountId: k.accountId, idempotencyKey: k.key } }), k]),
  );
  const errors = new ErrorExamples<{ idempotencyKey: string; refusals: string[]; storedStatus: number }>();
  let refusedKeys = 0;
  for (const [identity, list] of answers) {
    if (!list.every((o) => o.type === 'fail')) continue;
    refusedKeys++;
    const record = stored.get(identity);
    if (record && record.status < 300) {
      errors.add({
        idempotencyKey: record.key,
        refusals: list.map((o) => o.error ?? 'refused'),
        storedStatus: record.status,
      });
    }
  }
  return errors.result({
    name: 'refusals-changed-nothing',
    description: 'No key whose every request was refused took effect: a refusal certainly did not happen.',
    figures: { refusedKeys },
  });
}
