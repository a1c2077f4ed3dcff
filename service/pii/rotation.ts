import type pg from 'pg';
import { sql } from '../db/sql.ts';
import { type PiiCipher, type PiiField, SEALED_PATTERN } from './pii-cipher.ts';

/** A key's share of the stored values; `keyId` null for plain values from before encryption. */
export interface KeyCount {
  field: PiiField;
  keyId: string | null;
  n: number;
}

export async function keyCounts(pool: pg.Pool): Promise<KeyCount[]> {
  const { rows } = await pool.query<{ field: PiiField; key_id: string | null; n: number }>(
    sql('pii-key-counts'),
    [SEALED_PATTERN],
  );
  return rows.map((r) => ({ field: r.field, keyId: r.key_id, n: r.n }));
}

export interface RotationProgress {
  /** Profiles looked at so far, and those re-sealed (the rest changed under us: already current). */
  scanned: number;
  resealed: number;
  /**
   * Values left as they are because they do not open: sealed with a key missing from PII_KEYS, or
   * altered. Each is counted and skipped, so one bad row cannot stop the rotation of the others.
   */
  unreadable: number;
  /** Profiles that needed it when the rotation started. */
  total: number;
}

interface StaleRow {
  user_id: string;
  email_enc: string | null;
  phone_enc: string | null;
}

/**
 * Re-seals every stored email and phone that is not sealed with the cipher's current key (older keys,
 * and plain values from before encryption), `batch` profiles per transaction, in user-id order. Each
 * batch is one read and one write; a row updated meanwhile is skipped (its writer sealed it with the
 * current key). Safe to stop and run again. Needs every key that sealed a value: it opens them first,
 * and what it cannot open it skips and counts (`unreadable`).
 */
export async function rotatePii(
  pool: pg.Pool,
  cipher: PiiCipher,
  opts: { batch: number; onBatch?: (p: RotationProgress) => void },
): Promise<RotationProgress> {
  const { rows: count } = await pool.query<{ n: number }>(sql('pii-stale-count'), [
    cipher.currentKeyId,
    SEALED_PATTERN,
  ]);
  const total = count[0]?.n ?? 0;
  const progress: RotationProgress = { scanned: 0, resealed: 0, unreadable: 0, total };
  let after: string | null = null;
  for (;;) {
    const { rows }: { rows: StaleRow[] } = await pool.query<StaleRow>(sql('pii-stale-batch'), [
      cipher.currentKeyId,
      after,
      opts.batch,
      SEALED_PATTERN,
    ]);
    if (rows.length === 0) break;
    const reseal = (r: StaleRow, field: PiiField) => {
      const stored = field === 'email' ? r.email_enc : r.phone_enc;
      if (stored === null || cipher.isCurrent(stored)) return stored;
      let plain: string;
      try {
        plain = cipher.open(stored, { userId: r.user_id, field });
      } catch {
        progress.unreadable++;
        return stored;
      }
      return cipher.seal(plain, { userId: r.user_id, field });
    };
    const changes = rows
      .map((r) => ({ r, email: reseal(r, 'email'), phone: reseal(r, 'phone') }))
      .filter((c) => c.email !== c.r.email_enc || c.phone !== c.r.phone_enc);
    const { rows: written } = await pool.query<{ resealed: number }>(sql('pii-reseal'), [
      changes.map((c) => c.r.user_id),
      changes.map((c) => c.r.email_enc),
      changes.map((c) => c.email),
      changes.map((c) => c.r.phone_enc),
      changes.map((c) => c.phone),
    ]);
    progress.scanned += rows.length;
    progress.resealed += written[0]?.resealed ?? 0;
    after = rows.at(-1)?.user_id ?? null;
    opts.onBatch?.({ ...progress });
  }
  return progress;
}
