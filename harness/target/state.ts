import { readFileSync } from 'node:fs';
import pg from 'pg';
import { z } from 'zod';
import type { HttpState, SqlState } from '../../contract/target.ts';
import { type FinalState, TRANSFER_STATUSES } from '../checkers/final-state.ts';

/**
 * The target's state as the checkers read it, through the reads its description names: SQL queries
 * against its database, or HTTP endpoints of its own (docs/contract.md#state-reads). Every read is
 * scoped to the accounts (or users) a run created, so a long-lived target's other data never mixes in.
 */
export interface StateReader {
  accounts(accountIds: string[]): Promise<FinalState['accounts']>;
  transfers(accountIds: string[]): Promise<FinalState['transfers']>;
  /** Payouts neither SETTLED nor FAILED, and their sum. */
  open(accountIds: string[]): Promise<{ transfers: number; amount: number }>;
  /** The idempotency keys the service stored for these (account, key) pairs, with their answers. */
  keys(pairs: Array<{ accountId: string; key: string }>): Promise<FinalState['keys']>;
  /** Profile versions, or null when the description has no profile read. */
  profiles(userIds: string[]): Promise<FinalState['profiles'] | null>;
  close(): Promise<void>;
}

/** A read the target answered with rows of the wrong shape: its description's query is wrong. */
export class StateReadError extends Error {
  override readonly name = 'StateReadError';
}

const count = z.coerce.number().int();
const money = z.coerce.number();
/** A time as a driver or JSON gives it, in ms since the epoch. */
const instant = z
  .union([z.date(), z.string().min(1), z.number()])
  .transform((v) => (v instanceof Date ? v.getTime() : typeof v === 'number' ? v : Date.parse(v)))
  .pipe(z.number().finite());

const accountRow = z.object({ id: z.string(), balance: money, ledgerSum: money, fundedNet: money });
const transferRow = z.object({
  id: z.string(),
  accountId: z.string(),
  amount: money,
  status: z.enum(TRANSFER_STATUSES),
  attempts: count.nullish().transform((v) => v ?? 0),
  reconAttempts: count.nullish().transform((v) => v ?? 0),
  refunds: count,
  refunded: money,
  createdAt: instant.nullish().transform((v) => v ?? undefined),
  completedAt: instant.nullish(),
  destination: z.string().nullish(),
});
const openRow = z.object({ transfers: count, amount: money.nullish().transform((v) => v ?? 0) });
const keyRow = z.object({
  accountId: z.string(),
  key: z.string(),
  status: count,
  resultId: z
    .string()
    .nullish()
    .transform((v) => v ?? undefined),
});
const profileRow = z.object({ userId: z.string(), version: count });

function rows<T extends z.ZodType>(schema: T, values: unknown, read: string): Array<z.output<T>> {
  const parsed = z.array(schema).safeParse(values);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new StateReadError(
    `the target's ${read} read answered rows of another shape: ${issue?.path.join('.')}: ${issue?.message}`,
  );
}

/** Reads through the description's SQL queries, on a small pool of its own. */
export function sqlStateReader(state: SqlState): StateReader {
  const pool = new pg.Pool({
    connectionString: state.url,
    max: 4,
    ...(state.caFile ? { ssl: { ca: readFileSync(state.caFile, 'utf8') } } : {}),
  });
  pool.on('error', () => {});
  const { queries } = state;
  const query = async (read: string, text: string, params: unknown[]) => {
    try {
      return (await pool.query(text, params)).rows;
    } catch (err) {
      throw new StateReadError(`the target's ${read} query failed: ${(err as Error).message}`);
    }
  };
  const transfers = async (ids: string[]) =>
    rows(transferRow, await query('transfers', queries.transfers, [ids]), 'transfers');
  return {
    accounts: async (ids) => rows(accountRow, await query('accounts', queries.accounts, [ids]), 'accounts'),
    transfers,
    open: async (ids) => {
      if (!queries.open) return openOf(await transfers(ids));
      const [row] = rows(openRow, await query('open', queries.open, [ids]), 'open');
      return row ?? { transfers: 0, amount: 0 };
    },
    keys: async (pairs) =>
      rows(
        keyRow,
        await query('keys', queries.keys, [pairs.map((p) => p.accountId), pairs.map((p) => p.key)]),
        'keys',
      ),
    profiles: async (userIds) =>
      queries.profiles
        ? rows(profileRow, await query('profiles', queries.profiles, [userIds]), 'profiles')
        : null,
    close: () => pool.end(),
  };
}

/** Reads through the target's own HTTP read endpoints: `POST {url}/{read}` with a JSON body. */
export function httpStateReader(state: HttpState, { timeoutMs = 30_000 } = {}): StateReader {
  const post = async (read: string, body: unknown): Promise<Record<string, unknown>> => {
    let res: Response;
    try {
      res = await fetch(`${state.url.replace(/\/$/, '')}/${read}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...state.headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new StateReadError(`the target's ${read} read did not answer: ${(err as Error).message}`);
    }
    const text = await res.text();
    if (!res.ok)
      throw new StateReadError(`the target's ${read} read answered ${res.status}: ${text.slice(0, 200)}`);
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new StateReadError(`the target's ${read} read answered something that is not JSON`);
    }
  };
  const transfers = async (accountIds: string[]) =>
    rows(transferRow, (await post('transfers', { accountIds })).transfers, 'transfers');
  return {
    accounts: async (accountIds) =>
      rows(accountRow, (await post('accounts', { accountIds })).accounts, 'accounts'),
    transfers,
    open: async (accountIds) => openOf(await transfers(accountIds)),
    keys: async (keys) => rows(keyRow, (await post('keys', { keys })).keys, 'keys'),
    profiles: async (userIds) =>
      state.profiles ? rows(profileRow, (await post('profiles', { userIds })).profiles, 'profiles') : null,
    close: async () => {},
  };
}

function openOf(transfers: FinalState['transfers']): { transfers: number; amount: number } {
  const open = transfers.filter((t) => t.status !== 'SETTLED' && t.status !== 'FAILED');
  return { transfers: open.length, amount: open.reduce((sum, t) => sum + t.amount, 0) };
}
