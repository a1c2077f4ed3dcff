import { createHash } from 'node:crypto';
import type pg from 'pg';
import {
  AppError,
  CurrencyMismatch,
  Forbidden,
  IdempotencyKeyInFlight,
  IdempotencyKeyReused,
  NotFound,
  OperatorOnly,
} from '../errors.ts';
import { lockHold, lockWait, moneyOps } from '../metrics.ts';
import {
  type ItemOutcome,
  type MoneyRow,
  type MoneyStatement,
  type MoneyStore,
  moneyStore,
  type PayoutItem,
} from './money-repo.ts';
import type { PayoutCoalescer } from './payout-coalescer.ts';

export interface MoneyDeps {
  pool: pg.Pool;
  lockTimeoutMs: number;
  retries: number;
  /** Where the operations run; none: Postgres's money functions through `pool`, `retries` times. */
  store?: MoneyStore;
  /** Gathers concurrent payouts of one account into one transaction (PAYOUT_COALESCE); none: one each. */
  coalescer?: PayoutCoalescer;
  /**
   * After a commit that created payouts, with their transfer ids: tells the relay that publishes them
   * (a fire-and-forget hint, relay/outbox-hint.ts). It must not throw, and nothing waits for it.
   */
  onCreated?: (transferIds: string[]) => void;
}

/** The response of a money operation; `replayed` when it is the stored answer to an earlier request. */
export interface MoneyResult {
  status: number;
  body: Record<string, unknown>;
  replayed: boolean;
  /** A new payout held for a fraud review (MANUAL_REVIEW). */
  held?: boolean;
}

export interface PayoutInput {
  userId: string;
  idempotencyKey: string;
  accountId: string;
  amount: number;
  currency: string;
  destination: string;
  /** A fraud rule's reason code: the payout is written in MANUAL_REVIEW, not published, until released. */
  holdReason?: string | null;
}

/**
 * Debits the account and records the bank transfer intent (the outbox row), exactly once per key; a
 * payout with a hold reason waits in MANUAL_REVIEW for an operator instead (`held` in the result).
 */
export async function payout(deps: MoneyDeps, input: PayoutInput): Promise<MoneyResult> {
  const { userId, idempotencyKey, accountId, amount, currency, destination } = input;
  const item: PayoutItem = {
    amount,
    currency,
    destination,
    idempotencyKey,
    requestHash: requestHash('payout', { accountId, amount, currency, destination }),
    holdReason: input.holdReason ?? null,
  };
  let row: MoneyRow;
  try {
    if (deps.coalescer) row = await deps.coalescer.run(userId, accountId, item);
    else {
      const [outcome] = await payoutBatch(deps, userId, accountId, [item]);
      if (outcome instanceof Error || outcome === undefined) throw outcome ?? new Error('no payout row');
      row = outcome;
    }
  } catch (err) {
    moneyOps.inc({ operation: 'payout', outcome: err instanceof AppError ? err.code : 'error' });
    throw err;
  }
  moneyOps.inc({ operation: 'payout', outcome: row.outcome });
  return resultOf(row);
}

/**
 * Writes payouts of one account in one transaction (a coalesced batch, or one payout alone): one outcome
 * per payout. A whole-batch failure that changed nothing and says retry (lock timeout, conflicts, the
 * database away: 503) is every payout's answer; any other failure of a batch of several is retried one
 * payout at a time, so a payout that fails can never take its neighbours with it.
 */
export async function payoutBatch(
  deps: MoneyDeps,
  userId: string,
  accountId: string,
  items: PayoutItem[],
): Promise<ItemOutcome[]> {
  const batch = { userId, accountId, items, lockTimeoutMs: deps.lockTimeoutMs };
  let rows: MoneyRow[];
  try {
    rows = await storeOf(deps).payoutBatch(batch);
  } catch (err) {
    if (items.length === 1 || (err instanceof AppError && err.status === 503))
      return items.map(() => err as Error);
    return Promise.all(
      items.map((item) =>
        payoutBatch(deps, userId, accountId, [item]).then((outcomes) => outcomes[0] as ItemOutcome),
      ),
    );
  }
  const first = rows.find((r) => r.lock_wait_s !== null);
  if (first?.lock_wait_s != null) lockWait.observe({ operation: 'payout' }, first.lock_wait_s);
  if (first?.lock_hold_s != null) lockHold.observe({ operation: 'payout' }, first.lock_hold_s);
  const created = rows.filter((r) => r.outcome === 'created').map((r) => String(r.response_body?.id));
  if (deps.onCreated && created.length > 0) deps.onCreated(created);
  return rows;
}

export interface TransferInput {
  userId: string;
  idempotencyKey: string | null;
  fromAccountId: string;
  toAccountId: string;
  amount: number;
  currency: string;
}

/** Moves money between two accounts; both rows are locked in id order. */
export function transfer(deps: MoneyDeps, input: TransferInput): Promise<MoneyResult> {
  const { userId, idempotencyKey, fromAccountId, toAccountId, amount, currency } = input;
  const hash = requestHash('transfer', { fromAccountId, toAccountId, amount, currency });
  return run(deps, 'transfer-funds', [
    userId,
    fromAccountId,
    toAccountId,
    amount,
    currency,
    idempotencyKey,
    hash,
    deps.lockTimeoutMs,
  ]);
}

export interface DepositInput {
  /** The operator creating the money (recorded with the deposit); anyone else gets 403 operator_only. */
  operatorId: string;
  idempotencyKey: string | null;
  accountId: string;
  amount: number;
  currency: string;
}

/** Credits an account: creating money, which only an operator may do (the function checks the role). */
export function deposit(deps: MoneyDeps, input: DepositInput): Promise<MoneyResult> {
  const { operatorId, idempotencyKey, accountId, amount, currency } = input;
  const hash = requestHash('deposit', { accountId, amount, currency });
  return run(deps, 'deposit', [
    operatorId,
    accountId,
    amount,
    currency,
    idempotencyKey,
    hash,
    deps.lockTimeoutMs,
  ]);
}

/**
 * The hash that tells "same request" from "different request under the same key": the operation and
 * its validated parameters in a fixed order, so formatting or key order of the JSON body never matter.
 */
function requestHash(operation: string, params: Record<string, unknown>): Buffer {
  return createHash('sha256')
    .update(JSON.stringify([operation, params]))
    .digest();
}

async function run(deps: MoneyDeps, statement: MoneyStatement, params: unknown[]): Promise<MoneyResult> {
  let row: MoneyRow;
  try {
    row = await storeOf(deps).statement(statement, params);
  } catch (err) {
    moneyOps.inc({ operation: statement, outcome: err instanceof AppError ? err.code : 'error' });
    throw err;
  }
  moneyOps.inc({ operation: statement, outcome: row.outcome });
  if (row.lock_wait_s !== null) lockWait.observe({ operation: statement }, row.lock_wait_s);
  if (row.lock_hold_s !== null) lockHold.observe({ operation: statement }, row.lock_hold_s);
  return resultOf(row);
}

function storeOf(deps: MoneyDeps): MoneyStore {
  return deps.store ?? moneyStore(deps.pool, { retries: deps.retries });
}

/** The answer a money function's row stands for: a stored or replayed response, or the error it names. */
function resultOf(row: MoneyRow): MoneyResult {
  const stored = row.response_status !== null && row.response_body !== null;
  if (
    (row.outcome === 'created' || row.outcome === 'held' || row.outcome === 'insufficient_funds') &&
    stored
  ) {
    return {
      status: row.response_status as number,
      body: row.response_body as Record<string, unknown>,
      replayed: false,
      held: row.outcome === 'held',
    };
  }
  if (row.outcome === 'replay' && stored) {
    return {
      status: row.response_status as number,
      body: row.response_body as Record<string, unknown>,
      replayed: true,
    };
  }
  throw outcomeError(row.outcome);
}

function outcomeError(outcome: string): Error {
  switch (outcome) {
    case 'in_flight':
      return new IdempotencyKeyInFlight();
    case 'key_reused':
      return new IdempotencyKeyReused();
    case 'account_not_found':
      return new NotFound('account', 'account_not_found');
    case 'destination_not_found':
      return new NotFound('destination account', 'destination_not_found');
    case 'forbidden':
      return new Forbidden();
    case 'operator_only':
      return new OperatorOnly();
    case 'currency_mismatch':
      return new CurrencyMismatch();
    default:
      return new Error(`unexpected money outcome ${outcome}`);
  }
}
