import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { sql } from '../db/sql.ts';
import type { Queryable } from '../payouts/transfers-repo.ts';

export interface Account {
  id: string;
  user_id: string;
  currency: string;
  balance: number;
  created_at: Date;
}

/** An API key's sha256, as the database stores it: what the process keeps of a key, never the key. */
export type ApiKeyHash = Buffer & { readonly __apiKeyHash: unique symbol };

export const apiKeyHash = (key: string) => createHash('sha256').update(key).digest() as ApiKeyHash;

/** `operator`: may create money (deposits into any account). Everyone else is a `user`. */
export type UserRole = 'user' | 'operator';

/** Creates a user and returns its API key: the only time the key exists outside the caller. */
export async function createUser(
  pool: pg.Pool,
  name: string,
  opts: { role?: UserRole } = {},
): Promise<{ id: string; apiKey: string }> {
  const apiKey = `fl_${randomBytes(24).toString('base64url')}`;
  const { rows } = await pool.query<{ id: string }>(sql('user-create'), [
    name,
    apiKeyHash(apiKey),
    opts.role ?? 'user',
  ]);
  return { id: (rows[0] as { id: string }).id, apiKey };
}

/** The user an API key belongs to (id and role), or null. */
export async function userForApiKey(
  pool: pg.Pool,
  apiKey: string | ApiKeyHash,
): Promise<{ id: string; role: UserRole } | null> {
  const { rows } = await pool.query<{ id: string; role: UserRole }>(sql('user-by-key-hash'), [
    typeof apiKey === 'string' ? apiKeyHash(apiKey) : apiKey,
  ]);
  return rows[0] ? { id: rows[0].id, role: rows[0].role } : null;
}

export async function createAccount(pool: pg.Pool, userId: string, currency: string): Promise<Account> {
  const { rows } = await pool.query<Account>(sql('account-create'), [userId, currency]);
  return rows[0] as Account;
}

export async function getAccount(db: Queryable, id: string): Promise<Account | null> {
  const { rows } = await db.query<Account>(sql('account-get'), [id]);
  return rows[0] ?? null;
}
