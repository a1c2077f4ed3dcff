import type pg from 'pg';
import { sql } from '../db/sql.ts';
import { ConflictRetryExhausted, DatabaseUnavailable, InsufficientFunds, LockTimeout } from '../errors.ts';
import { txRetries } from '../metrics.ts';

export type MoneyStatement = 'transfer-funds' | 'deposit';

/** What a money function answers (see db/migrations/0005_money_functions.sql). */
export interface MoneyRow {
  outcome: string;
  response_status: number | null;
  response_body: Record<string, unknown> | null;
  lock_wait_s: number | null;
  lock_hold_s: number | null;
}

/** One payout of a batch, as payout_batch() takes it. */
export interface PayoutItem {
  amount: number;
  currency: string;
  destination: string;
  idempotencyKey: string | null;
  /** What tells "same request" from "another request under the same key" (operations.ts requestHash). */
  requestHash: Buffer;
  /** A fraud rule's reason code: written in MANUAL_REVIEW with its hold, not for the relay. */
  holdReason: string | null;
  /** When (ms since the epoch) the payout stops being writable: past it, payout_batch() refuses it. */
  deadline: number | null;
}

/** Payouts from one account of one user, decided in item order: one transaction, one row lock, one commit. */
export interface PayoutBatch {
  userId: string;
  accountId: string;
  items: PayoutItem[];
  lockTimeoutMs: number;
}

/** What one payout of a batch came to: its row, or the error its request ends with. */
export type ItemOutcome = MoneyRow | Error;

/**
 * Where the money operations run: the money functions of Postgres by default (moneyStore). Its errors are
 * the ones a client sees (mapDatabaseError); a deadlock or serialization failure has been retried.
 */
export interface MoneyStore {
  /** Writes the payouts of one account in one transaction: one row per payout, in item order. */
  payoutBatch(batch: PayoutBatch): Promise<MoneyRow[]>;
  /** Runs one money function (a transfer, a deposit) with its parameters and answers its row. */
  statement(name: MoneyStatement, params: unknown[]): Promise<MoneyRow>;
}

/** The money operations on Postgres: one statement per operation, retried after a conflict. */
export function moneyStore(pool: pg.Pool, opts: { retries: number }): MoneyStore {
  return {
    payoutBatch: (batch) => runPayoutBatch(pool, batch, opts),
    statement: (name, params) => runMoneyStatement(pool, name, params, opts),
  };
}

/** The parameters of payout-batch.sql for a batch (parallel arrays, one element per payout). */
export function payoutBatchParams(b: PayoutBatch): unknown[] {
  return [
    b.userId,
    b.accountId,
    b.items.map((i) => i.amount),
    b.items.map((i) => i.currency),
    b.items.map((i) => i.destination),
    b.items.map((i) => i.idempotencyKey),
    b.items.map((i) => i.requestHash),
    b.items.map((i) => i.holdReason),
    b.lockTimeoutMs,
    b.items.map((i) => (i.deadline === null ? null : new Date(i.deadline))),
  ];
}

/** Runs a payout batch in one statement; a deadlock retries the whole batch, up to `retries` times. */
export function runPayoutBatch(
  pool: pg.Pool,
  batch: PayoutBatch,
  opts: { retries: number },
): Promise<MoneyRow[]> {
  return withConflictRetries('payout', opts, async () => {
    const { rows } = await pool.query<MoneyRow>(sql('payout-batch'), payoutBatchParams(batch));
    if (rows.length !== batch.items.length)
      throw new Error(`payout_batch answered ${rows.length} rows for ${batch.items.length} payouts`);
    return rows;
  });
}

const RETRYABLE = new Set(['40P01', '40001']);

/**
 * Runs one money statement. Deadlocks and serialization failures are retried up to `retries` times
 * (each attempt is a whole transaction, so a retry can never apply twice) and never reach a client as 500.
 */
export function runMoneyStatement(
  pool: pg.Pool,
  statement: MoneyStatement,
  params: unknown[],
  opts: { retries: number },
): Promise<MoneyRow> {
  return withConflictRetries(statement, opts, async () => {
    const { rows } = await pool.query<MoneyRow>(sql(statement), params);
    const row = rows[0];
    if (!row) throw new Error(`${statement} returned no row`);
    return row;
  });
}

/** Runs `attempt` (one whole transaction) again after a deadlock or serialization failure, counted. */
export async function withConflictRetries<T>(
  operation: string,
  opts: { retries: number },
  attempt: () => Promise<T>,
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code && RETRYABLE.has(code)) {
        txRetries.inc({ operation, sqlstate: code });
        if (n < opts.retries) continue;
        throw new ConflictRetryExhausted();
      }
      throw mapDatabaseError(err);
    }
  }
}

/** Maps a Postgres or connection error to the client-facing error it stands for. */
export function mapDatabaseError(err: unknown): unknown {
  const code = (err as { code?: string }).code;
  if (code === '55P03') return new LockTimeout();
  // statement_timeout (DATABASE_STATEMENT_TIMEOUT_MS) or an operator's cancel: rolled back, but a
  // client cannot tell it from a database that stopped answering, and retries it the same way.
  if (code === '57014') return new DatabaseUnavailable();
  // The CHECK (balance >= 0) constraint: only reachable if the locked balance check were bypassed.
  if (code === '23514') return new InsufficientFunds();
  if (isConnectionError(err)) return new DatabaseUnavailable();
  return err;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  '57P01',
  '57P02',
  '57P03',
  // read_only_sql_transaction: the server reached cannot write (a standby, or a primary being demoted
  // in a failover that the proxy still forwards to): nothing was written, retry once a primary answers.
  '25006',
]);

function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (e.code && (CONNECTION_CODES.has(e.code) || e.code.startsWith('08'))) return true;
  // pg-pool's own words for a pool with no free connection within connectionTimeoutMillis (exhausted,
  // or Postgres not accepting), for a pool already ended by a stopping process, and node-postgres's for
  // a query unanswered within query_timeout (DATABASE_QUERY_TIMEOUT_MS: its outcome is unknown).
  return /Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect|Cannot use a pool after calling end|Query read timeout/i.test(
    e.message ?? '',
  );
}
