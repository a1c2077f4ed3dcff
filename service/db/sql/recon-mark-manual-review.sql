-- Gives up on automatic recovery: a human decides (the money stays debited, nothing is refunded).
-- $1 uuid[] of transfer ids, $2 reason. Returns: nothing. Lock: rows already claimed by recon-claim-stuck.
UPDATE bank_transfers SET status = 'MANUAL_REVIEW', last_error = $2, updated_at = now() WHERE id = ANY($1)
