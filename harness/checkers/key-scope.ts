import type { CheckResult } from '../core/check-result.ts';
import type { Completed } from '../core/history.ts';
import { ErrorExamples } from './error-examples.ts';
import { field, keyIdentity, responseBody, responseStatus } from './response.ts';

/**
 * A key reused with a different request is refused (422 `idempotency_key_reused`), or told to wait
 * (409 `idempotency_key_in_flight`) while the first is still running: never served or applied. Only
 * keys whose first request was answered count: a key that never took effect is free to use.
 */
export function keyReuseRefused(ops: Completed[], f = 'reuse'): CheckResult {
  const errors = new ErrorExamples<{ request: unknown; type: string; status?: number; error?: string }>();
  const taken = new Set<string>();
  for (const op of ops) {
    const identity = keyIdentity(op);
    if ((op.f === 'payout' || op.f === 'replay') && op.type === 'ok' && identity) taken.add(identity);
  }
  let refused = 0;
  let untested = 0;
  for (const op of ops) {
    if (op.f !== f) continue;
    const identity = keyIdentity(op);
    if (!identity || !taken.has(identity)) {
      untested++;
      continue;
    }
    if (
      op.type === 'fail' &&
      (op.error === 'idempotency_key_reused' || op.error === 'idempotency_key_in_flight')
    ) {
      refused++;
      continue;
    }
    errors.add({
      request: op.request,
      type: op.type,
      status: responseStatus(op),
      ...(op.error ? { error: op.error } : {}),
    });
  }
  return errors.result({
    name: 'key-reuse-refused',
    description:
      'A key reused with a different request was refused with 422 idempotency_key_reused, never served.',
    figures: { refused, untested },
  });
}

/**
 * Keys are scoped per user: another user's request with the same key string is its own request, answered
 * for its own account (a 201 for it, never the first user's stored answer nor a key-reuse refusal).
 */
export function keysScopedPerUser(ops: Completed[], opts: { f: string; accountId: string }): CheckResult {
  const errors = new ErrorExamples<{
    request: unknown;
    type: string;
    status?: number;
    accountId?: unknown;
  }>();
  let own = 0;
  for (const op of ops) {
    if (op.f !== opts.f) continue;
    const accountId = field(responseBody(op), 'accountId');
    if (op.type === 'ok' && responseStatus(op) === 201 && accountId === opts.accountId) {
      own++;
      continue;
    }
    errors.add({ request: op.request, type: op.type, status: responseStatus(op), accountId });
  }
  return errors.result({
    name: 'keys-scoped-per-user',
    description: 'Another user sending the same key strings got answers of its own, for its own account.',
    figures: { own },
  });
}
