-- One account with its live balance (never cached). $1 account id.
-- Returns: id, user_id, currency, balance, created_at (0 or 1 row). Lock: none (plain MVCC read).
SELECT id, user_id, currency, balance, created_at FROM accounts WHERE id = $1
