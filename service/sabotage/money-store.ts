import type pg from 'pg';
import { getAccount } from '../accounts/accounts-repo.ts';
import { sql } from '../db/sql.ts';
import {
  type MoneyRow,
  type MoneyStore,
  mapDatabaseError,
  moneyStore,
  type PayoutBatch,
  payoutBatchParams,
  withConflictRetries,
} from '../money/money-repo.ts';
import { brokenSql } from './sql.ts';
import type { Sabotage } from './variables.ts';

/**
 * The money store with the broken paths SABOTAGE names, or undefined (the real one) when it names none.
 * The payout ones replace the batch, which every payout goes through, coalesced (PAYOUT_COALESCE) or
 * alone (a batch of one), so each breaks both paths.
 */
export function brokenMoneyStore(
  names: ReadonlySet<Sabotage>,
  pool: pg.Pool,
  opts: { retries: number },
): MoneyStore | undefined {
  const real = moneyStore(pool, opts);
  const payouts: ((batch: PayoutBatch) => Promise<MoneyRow[]>) | null = names.has('no-row-lock')
    ? (batch) => payoutsWithoutRowLock(pool, batch)
    : names.has('ack-before-commit')
      ? (batch) => payoutsAckedBeforeCommit(pool, batch)
      : names.has('no-idempotency')
        ? payoutsIgnoringKeys(real)
        : null;
  const unorderedLocks = names.has('unordered-transfer-locks');
  if (!payouts && !unorderedLocks) return undefined;
  return {
    payoutBatch: payouts ? (batch) => payouts(batch).catch(asClientError) : real.payoutBatch,
    statement: (name, params) =>
      unorderedLocks && name === 'transfer-funds'
        ? withConflictRetries(name, opts, () => transferWithUnorderedLocks(pool, params)).catch(asClientError)
        : real.statement(name, params),
  };
}

const asClientError = (err: unknown) => Promise.reject(mapDatabaseError(err));

/** `no-idempotency`: the correct payouts, but their Idempotency-Keys are dropped. */
function payoutsIgnoringKeys(real: MoneyStore): (batch: PayoutBatch) => Promise<MoneyRow[]> {
  return (batch) =>
    real.payoutBatch({ ...batch, items: batch.items.map((i) => ({ ...i, idempotencyKey: null })) });
}

/** How long `ack-before-commit` keeps a payout uncommitted after answering 201. */
const ACK_BEFORE_COMMIT_DELAY_MS = 300;

const noLock = { lock_wait_s: null, lock_hold_s: null };

/**
 * `no-row-lock`: reads the balance without FOR UPDATE, decides the batch's payouts against it, then
 * writes back balance − what they took. Concurrent batches (several in flight per account, or other API
 * processes) read the same balance and overwrite each other: more payouts pass than the money allows.
 */
async function payoutsWithoutRowLock(pool: pg.Pool, batch: PayoutBatch): Promise<MoneyRow[]> {
  const { userId, accountId } = batch;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const account = await getAccount(client, accountId);
    let balance = account?.balance ?? 0;
    const rows: MoneyRow[] = [];
    for (const item of batch.items) {
      const { idempotencyKey: key, requestHash: hash } = item;
      const idem = (await client.query(sql('idempotency-lookup'), [userId, key, hash])).rows[0];
      const problem =
        idem.outcome !== 'new'
          ? null
          : !account
            ? 'account_not_found'
            : account.user_id !== userId
              ? 'forbidden'
              : account.currency !== item.currency
                ? 'currency_mismatch'
                : null;
      if (idem.outcome !== 'new' || problem) {
        rows.push({ ...idem, ...(problem ? { outcome: problem } : {}), ...noLock });
        continue;
      }
      if (balance < item.amount) {
        const body = { code: 'insufficient_funds', message: 'the account balance is lower than the amount' };
        await client.query(sql('idempotency-store'), [userId, key, hash, 422, body]);
        rows.push({ outcome: 'insufficient_funds', response_status: 422, response_body: body, ...noLock });
        continue;
      }
      balance -= item.amount;
      const { body } = (
        await client.query(brokenSql('payout-insert'), [
          userId,
          accountId,
          item.amount,
          item.currency,
          item.destination,
        ])
      ).rows[0];
      await client.query(sql('idempotency-store'), [userId, key, hash, 201, body]);
      rows.push({ outcome: 'created', response_status: 201, response_body: body, ...noLock });
    }
    if (account && balance !== account.balance)
      await client.query(brokenSql('balance-write'), [accountId, balance]);
    await client.query('COMMIT');
    return rows;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/**
 * `ack-before-commit`: runs the correct payout batch inside an explicit transaction, answers at once,
 * and commits only later. A database crash in between loses payouts the client was told succeeded.
 */
async function payoutsAckedBeforeCommit(pool: pg.Pool, batch: PayoutBatch): Promise<MoneyRow[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<MoneyRow>(sql('payout-batch'), payoutBatchParams(batch));
    // Idle and checked out while it waits: a database crash meanwhile fails the COMMIT below, and
    // must not reach the process as an unhandled 'error' event (the API would die with it).
    const ignore = () => {};
    client.on('error', ignore);
    setTimeout(() => {
      client.query('COMMIT').then(
        () => {
          client.off('error', ignore);
          client.release();
        },
        (err: Error) => {
          client.off('error', ignore);
          client.release(err);
        },
      );
    }, ACK_BEFORE_COMMIT_DELAY_MS);
    return rows;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    client.release();
    throw err;
  }
}

/**
 * How long `unordered-transfer-locks` waits between its two row locks: on 2 busy cores the window
 * between two statements is already wide, this only makes A→B meeting B→A certain rather than likely.
 */
const BETWEEN_LOCKS_MS = 5;

/**
 * `unordered-transfer-locks`: an internal transfer in several statements that locks the source account,
 * then the destination, instead of both in id order: A→B and B→A each hold one row and wait for the
 * other, and Postgres breaks the deadlock by aborting one (40P01, which the caller retries).
 */
async function transferWithUnorderedLocks(pool: pg.Pool, params: unknown[]): Promise<MoneyRow> {
  const [userId, from, to, amount, currency, key, hash, lockTimeoutMs] = params as [
    string,
    string,
    string,
    number,
    string,
    string | null,
    Buffer,
    number,
  ];
  const refused = (outcome: string): MoneyRow => ({
    outcome,
    response_status: null,
    response_body: null,
    lock_wait_s: null,
    lock_hold_s: null,
  });
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const idem = (await client.query(sql('idempotency-lookup'), [userId, key, hash])).rows[0];
    if (idem.outcome !== 'new') {
      await client.query('COMMIT');
      return { ...idem, lock_wait_s: null, lock_hold_s: null };
    }
    const [source, target] = [await getAccount(client, from), await getAccount(client, to)];
    const problem = !source
      ? 'account_not_found'
      : source.user_id !== userId
        ? 'forbidden'
        : source.currency !== currency
          ? 'currency_mismatch'
          : !target
            ? 'destination_not_found'
            : target.currency !== currency
              ? 'currency_mismatch'
              : null;
    if (problem) {
      await client.query('ROLLBACK');
      return refused(problem);
    }
    await client.query(`SET LOCAL lock_timeout = ${Number(lockTimeoutMs)}`);
    const balance = (await client.query(brokenSql('account-lock'), [from])).rows[0].balance as number;
    await client.query('SELECT pg_sleep($1)', [BETWEEN_LOCKS_MS / 1000]);
    await client.query(brokenSql('account-lock'), [to]);
    if (balance < amount) {
      const body = { code: 'insufficient_funds', message: 'the account balance is lower than the amount' };
      await client.query(sql('idempotency-store'), [userId, key, hash, 422, body]);
      await client.query('COMMIT');
      return { ...refused('insufficient_funds'), response_status: 422, response_body: body };
    }
    const { body } = (await client.query(brokenSql('transfer-apply'), [from, to, amount, currency])).rows[0];
    await client.query(sql('idempotency-store'), [userId, key, hash, 201, body]);
    await client.query('COMMIT');
    return { ...refused('created'), response_status: 201, response_body: body };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
