-- The bank charged the transfer: SETTLED. $1 transfer id, $2 the bank's charge id.
-- Returns: id (no row when it was already terminal). Lock: the row's update lock for this statement only.
UPDATE bank_transfers
   SET status = 'SETTLED', bank_charge_id = $2, last_error = NULL, updated_at = now(), completed_at = now()
 WHERE id = $1 AND status IN ('PENDING', 'PROCESSING', 'MANUAL_REVIEW')
RETURNING id
