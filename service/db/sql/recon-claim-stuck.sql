-- Claims transfers that have not moved for $1 milliseconds (PENDING never published or never picked up,
-- PROCESSING whose worker died), oldest first, at most $2, and touches them (updated_at = now()), so
-- neither another recon run nor this run's next batch claims them again before they are stuck anew.
-- Returns: id, status, recon_attempts, account_id.
-- Lock: FOR UPDATE SKIP LOCKED on the claimed rows for this statement only: recon asks the bank and
-- re-enqueues with no row lock held. Uses the partial index bank_transfers_open_idx.
WITH stuck AS (
  SELECT id
    FROM bank_transfers
   WHERE status IN ('PENDING', 'PROCESSING')
     AND updated_at < now() - $1 * interval '1 millisecond'
   ORDER BY updated_at
   LIMIT $2
     FOR UPDATE SKIP LOCKED
)
UPDATE bank_transfers t
   SET updated_at = now()
  FROM stuck
 WHERE t.id = stuck.id
RETURNING t.id, t.status, t.recon_attempts, t.account_id
