-- Credits an account, in one statement; only an operator may, and the deposit records which one.
-- $1 operator's user id, $2 account_id, $3 amount, $4 currency, $5 idempotency key (nullable),
-- $6 request hash, $7 lock timeout (ms)
-- Returns: outcome, response_status, response_body, lock_wait_s, lock_hold_s (see 0008)
-- Lock: the row lock of the UPDATE on the account, under lock_timeout.
SELECT * FROM deposit($1, $2, $3, $4, $5, $6, $7)
