-- Credits an account, in one statement.
-- $1 user_id, $2 account_id, $3 amount, $4 currency, $5 idempotency key (nullable), $6 request hash,
-- $7 lock timeout (ms)
-- Returns: outcome, response_status, response_body, lock_wait_s, lock_hold_s
-- Lock: the row lock of the UPDATE on the account, under lock_timeout.
SELECT * FROM deposit($1, $2, $3, $4, $5, $6, $7)
