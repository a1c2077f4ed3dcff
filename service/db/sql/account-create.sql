-- Opens an account with a zero balance. $1 user_id, $2 currency.
-- Returns: id, user_id, currency, balance, created_at. Lock: none.
INSERT INTO accounts (user_id, currency) VALUES ($1, $2)
RETURNING id, user_id, currency, balance, created_at
