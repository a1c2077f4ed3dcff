-- Moves money between two accounts, in one statement.
-- $1 user_id, $2 from account, $3 to account, $4 amount, $5 currency,
-- $6 idempotency key (nullable), $7 request hash, $8 lock timeout (ms)
-- Returns: outcome, response_status, response_body, lock_wait_s, lock_hold_s
-- Lock: FOR UPDATE on both account rows, in id order (no deadlock between A->B and B->A).
SELECT * FROM transfer_funds($1, $2, $3, $4, $5, $6, $7, $8)
