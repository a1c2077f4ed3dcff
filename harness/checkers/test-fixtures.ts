/*
 * Small builders for checker tests: hand-made completed ops and final states, so each test reads as the
 * story it checks. Not a test itself (vitest only collects *.test.ts).
 */
import type { Completed, Op } from '../core/history.ts';
import type { FinalCharge, FinalState, FinalTransfer, TransferStatus } from './final-state.ts';

/** One history line (an invoke or a completion), as the recorder writes it. */
export const historyOp = (
  index: number,
  process: number,
  type: Op['type'],
  f: string,
  value: unknown,
  time: number,
): Op => ({ index, process, type, f, value, time });

/** A completed op: `ok` and `fail` ops carry `{ status, body }` (a refusal is an answer), `info` ops have none. */
export function op(
  f: string,
  {
    type = 'ok',
    request = {},
    status = 200,
    body = {},
    process = 0,
    at = 0,
    until,
  }: {
    type?: Completed['type'];
    request?: Record<string, unknown>;
    status?: number;
    body?: unknown;
    process?: number;
    at?: number;
    until?: number;
  } = {},
): Completed {
  const done = type === 'info' ? null : (until ?? at + 1);
  return {
    process,
    f,
    type,
    request,
    response: type === 'info' ? null : { status, body },
    invokedAt: at,
    completedAt: done,
    ...(type === 'ok' ? {} : { error: type === 'info' ? 'timeout' : 'connection refused' }),
  };
}

/** A final state with the given parts and an empty, drained everything else. */
export function finalState(parts: Partial<FinalState> = {}): FinalState {
  return {
    accounts: [],
    transfers: [],
    charges: [],
    queue: { waiting: 0, active: 0, delayed: 0, prioritized: 0 },
    keys: [],
    profiles: [],
    ...parts,
  };
}

/** An account whose ledger agrees with its balance unless told otherwise. */
export function account(
  id: string,
  balance: number,
  { ledgerSum = balance, fundedNet = balance }: { ledgerSum?: number; fundedNet?: number } = {},
): FinalState['accounts'][number] {
  return { id, balance, ledgerSum, fundedNet };
}

/** A transfer with no retries; a FAILED one refunded once (its reversal entry) unless told otherwise. */
export function transfer(
  id: string,
  accountId: string,
  amount: number,
  status: TransferStatus,
  { refunds = status === 'FAILED' ? 1 : 0 }: { refunds?: number } = {},
): FinalTransfer {
  return {
    id,
    accountId,
    amount,
    status,
    attempts: 1,
    reconAttempts: 0,
    refunds,
    refunded: refunds * amount,
  };
}

/** A bank charge for a transfer (its reference), charged unless told otherwise. */
export function charge(
  reference: string,
  amount: number,
  { status = 'charged', id = `ch-${reference}` }: { status?: FinalCharge['status']; id?: string } = {},
): FinalCharge {
  return { id, key: reference, reference, amount, status };
}
