import type { Completed } from '../core/history.ts';

/*
 * How the scenario client records HTTP calls: an invoke's value is the request (its body fields plus
 * `idempotencyKey` when sent), a completion's value is `{ status, body }`. Checkers read them only here.
 */

/** A property of a value when it is a plain object, else undefined. */
export function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** The HTTP status of a completion, if it has one. */
export function responseStatus(op: Completed): number | undefined {
  const status = field(op.response, 'status');
  return typeof status === 'number' ? status : undefined;
}

/** The response body of a completion, if it has one. */
export function responseBody(op: Completed): unknown {
  return field(op.response, 'body');
}

/** The id of the resource an `ok` 201 response acknowledged as created, if any. */
export function createdId(op: Completed): string | undefined {
  if (op.type !== 'ok' || responseStatus(op) !== 201) return undefined;
  const id = field(responseBody(op), 'id');
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** The Idempotency-Key the request was sent with, if any. */
export function idempotencyKey(op: Completed): string | undefined {
  const key = field(op.request, 'idempotencyKey');
  return typeof key === 'string' ? key : undefined;
}

/**
 * Who an Idempotency-Key belongs to and the key: keys are scoped per user, and the scenarios give each
 * user one account, so the account the request names (payout: accountId; transfer: fromAccountId)
 * stands for its user. Two users may send the same key string without their requests meeting.
 */
export function keyIdentity(op: Pick<Completed, 'request'>): string | undefined {
  const key = field(op.request, 'idempotencyKey');
  const account = field(op.request, 'accountId') ?? field(op.request, 'fromAccountId');
  return typeof key === 'string' ? `${typeof account === 'string' ? account : ''}\u0000${key}` : undefined;
}

/** Whether a completion is the service's 409 `idempotency_key_in_flight` refusal. */
export function isKeyInFlight(op: Completed): boolean {
  return (
    op.type !== 'info' &&
    responseStatus(op) === 409 &&
    field(responseBody(op), 'code') === 'idempotency_key_in_flight'
  );
}

/**
 * Whether a completion is an answer the service stores against its Idempotency-Key, so a replay must
 * get it again: a success (`ok`), or the 422 `insufficient_funds` refusal (a `fail`: nothing happened,
 * but the answer is final and kept like a success).
 */
export function isStoredAnswer(op: Completed): boolean {
  if (op.type === 'ok') return true;
  return (
    op.type === 'fail' &&
    responseStatus(op) === 422 &&
    field(responseBody(op), 'code') === 'insufficient_funds'
  );
}
