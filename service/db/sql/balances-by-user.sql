-- Live balances of every account of a user (never cached). $1 user id.
-- Returns: id, currency, balance (one row per account). Lock: none (plain MVCC read).
SELECT id, currency, balance FROM accounts WHERE user_id = $1 ORDER BY created_at, id
