-- Stripe's idempotency check (see idem_lookup in 0005_money_functions.sql).
-- $1 user_id, $2 key, $3 request hash. Returns: outcome, response_status, response_body.
-- Lock: the key's transaction-level advisory lock.
SELECT * FROM idem_lookup($1, $2, $3)
