import type pg from 'pg';
import { sql } from '../db/sql.ts';
import type { Queryable, TransferStatus } from '../payouts/transfers-repo.ts';

export interface StuckTransfer {
  id: string;
  status: TransferStatus;
  recon_attempts: number;
}

export async function claimStuck(
  db: pg.PoolClient,
  stuckAfterMs: number,
  limit: number,
): Promise<StuckTransfer[]> {
  const { rows } = await db.query<StuckTransfer>(sql('recon-claim-stuck'), [stuckAfterMs, limit]);
  return rows;
}

export async function markRequeued(db: pg.PoolClient, ids: string[]): Promise<void> {
  if (ids.length) await db.query(sql('recon-mark-requeued'), [ids]);
}

export async function markManualReview(db: pg.PoolClient, ids: string[], reason: string): Promise<void> {
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
