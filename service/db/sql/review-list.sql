-- Transfers parked in MANUAL_REVIEW, oldest first, at most $1.
-- Returns: id, account_id, amount, currency, destination, attempts, recon_attempts, last_error, updated_at.
-- Lock: none.
SELECT id, account_id, amount, currency, destination, attempts, recon_attempts, last_error, updated_at
  FROM bank_transfers
 WHERE status = 'MANUAL_REVIEW'
 ORDER BY updated_at
 LIMIT $1
