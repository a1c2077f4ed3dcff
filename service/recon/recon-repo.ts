import { sql } from '../db/sql.ts';
import type { Queryable, TransferStatus } from '../payouts/transfers-repo.ts';

export interface StuckTransfer {
  id: string;
  status: TransferStatus;
  recon_attempts: number;
  account_id: string;
}

/** Claims up to `limit` stuck transfers (touching them, so no other run claims them meanwhile). */
export async function claimStuck(
  db: Queryable,
  stuckAfterMs: number,
  limit: number,
): Promise<StuckTransfer[]> {
  const { rows } = await db.query<StuckTransfer>(sql('recon-claim-stuck'), [stuckAfterMs, limit]);
  return rows;
}

export async function markRequeued(db: Queryable, ids: string[]): Promise<void> {
  if (ids.length) await db.query(sql('recon-mark-requeued'), [ids]);
}

export async function markManualReview(db: Queryable, ids: string[], reason: string): Promise<void> {
  if (ids.length) await db.query(sql('recon-mark-manual-review'), [ids, reason]);
}

export async function countStuck(db: Queryable, stuckAfterMs: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>(sql('recon-stuck-count'), [stuckAfterMs]);
  return rows[0]?.n ?? 0;
}

export async function purgeExpiredIdempotencyKeys(db: Queryable, limit: number): Promise<number> {
  const { rowCount } = await db.query(sql('idempotency-purge-expired'), [limit]);
  return rowCount ?? 0;
}
