import { createAccount, createUser } from '../../service/accounts/accounts-repo.ts';
import { deposit } from '../../service/money/operations.ts';
import type { ScenarioContext } from './scenario.ts';

export interface FundedAccount {
  userId: string;
  apiKey: string;
  accountId: string;
  currency: string;
}

/**
 * Users with one funded USD account each, created directly in Postgres (set-up, not workload). The
 * money comes from an operator of the scenario's own, as money always does (deposits are operator-only).
 */
export async function fundedAccounts(
  ctx: ScenarioContext,
  n: number,
  balance: number,
): Promise<FundedAccount[]> {
  const money = { pool: ctx.db, lockTimeoutMs: 5_000, retries: 3 };
  const operator = await createUser(ctx.db, 'scenario-operator', { role: 'operator' });
  const out: FundedAccount[] = [];
  for (let i = 0; i < n; i++) {
    const user = await createUser(ctx.db, `scenario-${i}`);
    const account = await createAccount(ctx.db, user.id, 'USD');
    const funded = await deposit(money, {
      operatorId: operator.id,
      idempotencyKey: null,
      accountId: account.id,
      amount: balance,
      currency: 'USD',
    });
    if (funded.status !== 201)
      throw new Error(`funding ${account.id} failed: ${JSON.stringify(funded.body)}`);
    out.push({ userId: user.id, apiKey: user.apiKey, accountId: account.id, currency: 'USD' });
  }
  return out;
}

/**
 * Payouts inserted behind the API's back, debited and in the ledger, in one set-based transaction. By
 * default as the service would have left them had every worker died after taking them: PROCESSING,
 * published, untouched for an hour (so recon takes them). With `fresh`, just committed: PENDING and
 * unpublished, for the relay to publish. `currency` lets a scenario write a row the bank refuses.
 * Returns their ids.
 */
export async function seedStuck(
  ctx: ScenarioContext,
  opts: { accountIds: string[]; perAccount: number; amount: number; currency?: string; fresh?: boolean },
): Promise<string[]> {
  const { rows } = await ctx.db.query<{ id: string }>(
    `WITH accts AS (SELECT a.id, a.user_id FROM accounts a WHERE a.id = ANY($1)),
          t AS (
            INSERT INTO bank_transfers (user_id, account_id, amount, currency, destination, status, attempts,
                                        created_at, updated_at, published_at)
            SELECT accts.user_id, accts.id, $3, $4, 'IBAN-R',
                   CASE WHEN $5 THEN 'PENDING' ELSE 'PROCESSING' END::transfer_status,
                   CASE WHEN $5 THEN 0 ELSE 1 END,
                   now() - CASE WHEN $5 THEN interval '0' ELSE interval '1 hour' END,
                   now() - CASE WHEN $5 THEN interval '0' ELSE interval '1 hour' END,
                   CASE WHEN $5 THEN NULL ELSE now() - interval '1 hour' END
              FROM accts, generate_series(1, $2)
            RETURNING id, account_id, amount),
          l AS (
            INSERT INTO ledger_entries (account_id, amount, kind, transfer_id, operation_id)
            SELECT account_id, -amount, 'payout', id, id FROM t),
          b AS (
            UPDATE accounts SET balance = balance - $3 * $2 WHERE id = ANY($1))
     SELECT id FROM t ORDER BY id`,
    [opts.accountIds, opts.perAccount, opts.amount, opts.currency ?? 'USD', opts.fresh ?? false],
  );
  return rows.map((r) => r.id);
}

/** Runs `fn` over the items, `width` at a time. */
export async function inParallel<T>(
  items: T[],
  width: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}
