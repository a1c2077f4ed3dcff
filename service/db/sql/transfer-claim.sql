-- A worker takes a transfer in one statement (no read before it): PROCESSING, one more attempt.
-- $1 transfer id.
-- Returns: every column of bank_transfers plus `claimed`: true, the row now PROCESSING; false, the row
-- as it was, untouched (already terminal or in manual review); no row when there is no such transfer.
-- Lock: the row's update lock for this statement only.
WITH claimed AS (
  UPDATE bank_transfers
     SET status = 'PROCESSING', attempts = attempts + 1, updated_at = now()
   WHERE id = $1 AND status IN ('PENDING', 'PROCESSING')
  RETURNING *
)
SELECT true AS claimed, * FROM claimed
UNION ALL
SELECT false AS claimed, * FROM bank_transfers WHERE id = $1 AND NOT EXISTS (SELECT FROM claimed)
