-- A worker takes a transfer: PROCESSING, one more attempt. $1 transfer id.
-- Returns: every column (no row when the transfer is already terminal or in manual review).
-- Lock: the row's update lock for this statement only.
UPDATE bank_transfers
   SET status = 'PROCESSING', attempts = attempts + 1, updated_at = now()
 WHERE id = $1 AND status IN ('PENDING', 'PROCESSING')
RETURNING *
