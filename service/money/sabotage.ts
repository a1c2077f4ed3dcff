import type pg from 'pg';
import { getAccount } from '../accounts/accounts-repo.ts';
import { sql } from '../db/sql.ts';
import type { MoneyRow } from './money-repo.ts';

/**
 * Deliberately broken payout paths, reachable only when SABOTAGE names them (never by default).
 * They exist so the harness can prove its checkers catch exactly these bugs.
 */

/** How long `ack-before-commit` keeps a payout uncommitted after answering 201. */
const ACK_BEFORE_COMMIT_DELAY_MS = 300;

/**
 * `no-row-lock`: reads the balance without FOR UPDATE, then writes back balance − amount. Concurrent
 * payouts read the same balance and overwrite each other: more payouts pass than the money allows.
 */
export async function payoutWithoutRowLock(pool: pg.Pool, params: unknown[]): Promise<MoneyRow> {
  const [userId, accountId, amount, currency, destination, key, hash] = params as [
    string,
    string,
    number,
    string,
    string,
    string | null,
    Buffer,
  ];
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const idem = (await client.query(sql('idempotency-lookup'), [userId, key, hash])).rows[0];
    if (idem.outcome !== 'new') {
      await client.query('COMMIT');
      return { ...idem, lock_wait_s: null, lock_hold_s: null };
    }
    const account = await getAccount(client, accountId);
    const problem = !account
      ? 'account_not_found'
      : account.user_id !== userId
        ? 'forbidden'
        : account.currency !== currency
          ? 'currency_mismatch'
          : null;
    if (problem || !account) {
      await client.query('ROLLBACK');
      return {
        outcome: problem ?? 'account_not_found',
        response_status: null,
        response_body: null,
        lock_wait_s: null,
        lock_hold_s: null,
      };
    }
    if (account.balance < amount) {
      const body = { code: 'insufficient_funds', message: 'the account balance is lower than the amount' };
      await client.query(sql('idempotency-store'), [userId, key, hash, 422, body]);
      await client.query('COMMIT');
      return {
        outcome: 'insufficient_funds',
        response_status: 422,
        response_body: body,
        lock_wait_s: null,
        lock_hold_s: null,
      };
    }
    await client.query(sql('sabotage-balance-write'), [accountId, account.balance - amount]);
    const { body } = (
      await client.query(sql('sabotage-payout-insert'), [userId, accountId, amount, currency, destination])
    ).rows[0];
    await client.query(sql('idempotency-store'), [userId, key, hash, 201, body]);
    await client.query('COMMIT');
    return {
      outcome: 'created',
      response_status: 201,
      response_body: body,
      lock_wait_s: null,
      lock_hold_s: null,
    };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/**
 * `ack-before-commit`: runs the correct payout function inside an explicit transaction, answers at once,
 * and commits only later. A database crash in between loses payouts the client was told succeeded.
 */
export async function payoutAckBeforeCommit(pool: pg.Pool, params: unknown[]): Promise<MoneyRow> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const row = (await client.query<MoneyRow>(sql('payout'), params)).rows[0] as MoneyRow;
    setTimeout(() => {
      client.query('COMMIT').then(
        () => client.release(),
        (err: Error) => client.release(err),
      );
    }, ACK_BEFORE_COMMIT_DELAY_MS);
    return row;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    client.release();
    throw err;
  }
}
