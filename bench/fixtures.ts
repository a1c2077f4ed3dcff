import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';

/**
 * The bench's users and accounts, created in bulk through the harness's own connection: a few
 * statements for thousands of users instead of three round trips each. Money only ever moves through
 * the service's own SQL functions (deposit, payout), so every invariant holds as it does for the API:
 * a ledger entry per balance change, ledger sum = balance.
 */

export interface BenchUser {
  userId: string;
  apiKey: string;
  /** The user's USD accounts, funded. */
  accounts: string[];
}

/** Far more than a run spends at 1 cent a payout, and far below bigint's limit. */
export const FUNDING = 1_000_000_000_000;

const LOCK_TIMEOUT_MS = 10_000;

/** `count` users named `<prefix>-<i>`, each with `accountsPerUser` USD accounts holding `balance`. */
export async function seedUsers(
  db: pg.Pool,
  opts: { prefix: string; count: number; accountsPerUser?: number; balance?: number },
): Promise<BenchUser[]> {
  const perUser = opts.accountsPerUser ?? 1;
  const names = Array.from({ length: opts.count }, (_, i) => `${opts.prefix}-${i}`);
  // The service's key format (accounts-repo.ts); only the sha256 is stored.
  const keys = names.map(() => `fl_${randomBytes(24).toString('base64url')}`);
  const hashes = keys.map((k) => createHash('sha256').update(k).digest());
  const users = await db.query<{ id: string; name: string }>(
    `INSERT INTO users (name, api_key_hash) SELECT n, h FROM unnest($1::text[], $2::bytea[]) AS t(n, h)
     RETURNING id, name`,
    [names, hashes],
  );
  const idByName = new Map(users.rows.map((r) => [r.name, r.id]));
  const userIds = names.map((n) => idByName.get(n) as string);
  const owners = userIds.flatMap((id) => Array.from({ length: perUser }, () => id));
  const accounts = await db.query<{ id: string; user_id: string }>(
    `INSERT INTO accounts (user_id, currency) SELECT u, 'USD' FROM unnest($1::uuid[]) AS t(u) RETURNING id, user_id`,
    [owners],
  );
  await fund(
    db,
    accounts.rows.map((a) => a.id),
    opts.balance ?? FUNDING,
  );
  const byUser = new Map<string, string[]>();
  for (const a of accounts.rows) byUser.set(a.user_id, [...(byUser.get(a.user_id) ?? []), a.id]);
  return names.map((_, i) => {
    const userId = userIds[i] as string;
    return { userId, apiKey: keys[i] as string, accounts: byUser.get(userId) ?? [] };
  });
}

/**
 * Deposits `amount` into each account with the service's deposit() function, in one statement. Money is
 * created only by an operator (deposit() checks the role): the bench makes one, whose key nobody holds.
 */
async function fund(db: pg.Pool, accountIds: string[], amount: number) {
  const operator = await db.query<{ id: string }>(
    `INSERT INTO users (name, api_key_hash, role) VALUES ('bench-operator', $1, 'operator') RETURNING id`,
    [randomBytes(32)],
  );
  // Distinct operation ids: one per deposit that really ran (see createPendingPayouts).
  const { rows } = await db.query<{ created: number }>(
    `SELECT count(DISTINCT d.response_body ->> 'id')::int AS created
       FROM unnest($2::uuid[]) AS t(a),
            LATERAL deposit($1::uuid, t.a, $3::bigint, 'USD', NULL, '\\x'::bytea, $4::int) AS d`,
    [operator.rows[0]?.id, accountIds, amount, LOCK_TIMEOUT_MS],
  );
  if (rows[0]?.created !== accountIds.length) {
    throw new Error(`funding: ${rows[0]?.created ?? 0} of ${accountIds.length} deposits went through`);
  }
}

/** Rows per statement when creating a backlog: one long transaction gets slower per row. */
const BACKLOG_BATCH = 500;

/**
 * `n` PENDING payouts of 1 cent from `user`'s accounts (spread over all of them), through the service's
 * payout() function: debit, ledger entry and outbox row each, as the API would make them, in
 * transactions of 500 (repeated updates of one row inside one transaction slow down quadratically).
 * Returns their ids.
 */
export async function createPendingPayouts(db: pg.Pool, user: BenchUser, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let done = 0; done < n; done += BACKLOG_BATCH) {
    const batch = Math.min(BACKLOG_BATCH, n - done);
    // The destination names the row (g), so payout() runs once per row: an uncorrelated LATERAL call
    // could be evaluated once and joined n times. The distinct ids prove it was not.
    const { rows } = await db.query<{ id: string }>(
      `SELECT DISTINCT p.response_body ->> 'id' AS id
         FROM generate_series(1, $3::int) AS g,
              LATERAL payout($1::uuid, ($2::uuid[])[1 + g % cardinality($2::uuid[])], 1, 'USD',
                             'IBAN-BENCH-BACKLOG-' || g, NULL, '\\x'::bytea, $4::int) AS p
        WHERE p.outcome = 'created'`,
      [user.userId, user.accounts, batch, LOCK_TIMEOUT_MS],
    );
    if (rows.length !== batch) throw new Error(`backlog: ${rows.length} of ${batch} payouts were created`);
    ids.push(...rows.map((r) => r.id));
  }
  return ids;
}
