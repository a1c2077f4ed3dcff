-- Claims transfers that have not moved for $1 milliseconds (PENDING never published or never picked up,
-- PROCESSING whose worker died), oldest first, at most $2; other recon runs skip them.
-- Returns: id, status, recon_attempts. Lock: FOR UPDATE SKIP LOCKED on the claimed rows (until COMMIT).
-- Uses the partial index bank_transfers_open_idx.
SELECT id, status, recon_attempts
  FROM bank_transfers
 WHERE status IN ('PENDING', 'PROCESSING')
   AND updated_at < now() - $1 * interval '1 millisecond'
 ORDER BY updated_at
 LIMIT $2
   FOR UPDATE SKIP LOCKED
