import type pg from 'pg';
import { sql } from '../db/sql.ts';

export type TransferStatus = 'PENDING' | 'PROCESSING' | 'SETTLED' | 'FAILED' | 'MANUAL_REVIEW';

/** A row of bank_transfers: one payout on its way to the bank. */
export interface BankTransfer {
  id: string;
  user_id: string;
  account_id: string;
  amount: number;
  currency: string;
  destination: string;
  status: TransferStatus;
  attempts: number;
  recon_attempts: number;
  last_error: string | null;
  bank_charge_id: string | null;
  created_at: Date;
  updated_at: Date;
  published_at: Date | null;
  completed_at: Date | null;
  /** Until when, and by which relay, the unpublished row is claimed (migration 0010). */
  publish_lease_until: Date | null;
  publish_lease_owner: string | null;
}

/** A pool or a client inside a transaction: repository functions work with either. */
export type Queryable = Pick<pg.Pool, 'query'>;

export const TERMINAL: ReadonlySet<TransferStatus> = new Set(['SETTLED', 'FAILED']);

export async function getTransfer(db: Queryable, id: string): Promise<BankTransfer | null> {
  const { rows } = await db.query<BankTransfer>(sql('transfer-get'), [id]);
  return rows[0] ?? null;
}

/** A claim's answer: `claimed` true, the row now PROCESSING; false, the row as it was. */
export interface TransferClaim {
  claimed: boolean;
  transfer: BankTransfer;
}

/**
 * Marks a transfer PROCESSING for one more attempt, in one round trip: `claimed` false (the row as it
 * was) when it is terminal or in manual review; null when there is no such transfer. Waits at most
 * `lockTimeoutMs` for the row, then fails (SQLSTATE 55P03) having changed nothing.
 */
export async function claimTransfer(
  db: Queryable,
  id: string,
  { lockTimeoutMs }: { lockTimeoutMs: number },
): Promise<TransferClaim | null> {
  const { rows } = await db.query<BankTransfer & { claimed: boolean }>(sql('transfer-claim'), [
    id,
    lockTimeoutMs,
  ]);
  const row = rows[0];
  if (!row) return null;
  const { claimed, ...transfer } = row;
  return { claimed, transfer };
}

/**
 * claimTransfer for many ids in one statement (rows locked in id order, each waited for at most
 * `lockTimeoutMs`, else the whole statement fails having changed nothing): one answer per id, in order.
 */
export async function claimTransfers(
  db: Queryable,
  ids: string[],
  { lockTimeoutMs }: { lockTimeoutMs: number },
): Promise<(TransferClaim | null)[]> {
  const { rows } = await db.query<BankTransfer & { claimed: boolean }>(sql('transfer-claim-many'), [
    ids,
    lockTimeoutMs,
  ]);
  const byId = new Map(rows.map(({ claimed, ...transfer }) => [transfer.id, { claimed, transfer }]));
  // PostgreSQL answers a uuid in lower case whatever case it was given in.
  return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
}

/** SETTLED with the bank's charge id; false when it was already terminal. */
export async function settleTransfer(db: Queryable, id: string, chargeId: string): Promise<boolean> {
  const { rowCount } = await db.query(sql('transfer-settle'), [id, chargeId]);
  return rowCount === 1;
}

/** FAILED and refunded in one transaction; false when it was already terminal (no second refund). */
/**
 * settleTransfer for many transfers in one statement (rows locked in id order, each waited for at most
 * `lockTimeoutMs`, else the whole statement fails having changed nothing): one answer per item, in order.
 */
export async function settleTransfers(
  db: Queryable,
  settles: { id: string; chargeId: string }[],
  { lockTimeoutMs }: { lockTimeoutMs: number },
): Promise<boolean[]> {
  const { rows } = await db.query<{ id: string }>(sql('transfer-settle-many'), [
    settles.map((s) => s.id),
    settles.map((s) => s.chargeId),
    lockTimeoutMs,
  ]);
  const settled = new Set(rows.map((r) => r.id));
  return settles.map((s) => settled.has(s.id.toLowerCase()));
}

export async function failTransfer(db: Queryable, id: string, reason: string): Promise<boolean> {
  const { rows } = await db.query<{ failed: boolean }>(sql('transfer-fail'), [id, reason]);
  return rows[0]?.failed === true;
}

export async function noteTransferError(db: Queryable, id: string, error: string): Promise<void> {
  await db.query(sql('transfer-note-error'), [id, error.slice(0, 500)]);
}
