-- Transfers recon parked in MANUAL_REVIEW, oldest first, at most $1. Not those held by the fraud rules
-- (an open payout_holds row): they are decided with `npm run ops -- fraud …`, not with the bank.
-- Returns: id, account_id, amount, currency, destination, attempts, recon_attempts, last_error, updated_at.
-- Lock: none.
SELECT t.id, t.account_id, t.amount, t.currency, t.destination, t.attempts, t.recon_attempts, t.last_error,
       t.updated_at
  FROM bank_transfers t
 WHERE t.status = 'MANUAL_REVIEW'
   AND NOT EXISTS (SELECT 1 FROM payout_holds h WHERE h.transfer_id = t.id AND h.decision IS NULL)
 ORDER BY t.updated_at
 LIMIT $1
