-- Debits an account and writes the payout's outbox row and idempotency key, in one statement; a payout
-- the fraud rules hold is written in MANUAL_REVIEW with its hold row instead (not for the relay).
-- $1 user_id, $2 account_id, $3 amount, $4 currency, $5 destination,
-- $6 idempotency key, $7 request hash, $8 lock timeout (ms), $9 hold reason (null: not held)
-- Returns: outcome (created, held, ...), response_status, response_body, lock_wait_s, lock_hold_s
-- (see 0005_money_functions.sql and 0008)
-- Lock: FOR UPDATE on the account row, under lock_timeout; released at the statement's commit.
SELECT * FROM payout($1, $2, $3, $4, $5, $6, $7, $8, $9)
