-- The `keys` read of the reference stack's target description: which of these (account, key) pairs
-- the service stored an idempotency key for (stored in the same commit as the request's effect).
-- $1 account ids (text[]), $2 idempotency keys (text[]), pairwise
-- Returns one row per stored pair: accountId, key, status (the stored response's status), resultId (the
-- id in the stored response: the payout or transfer the request made).
-- Locks nothing (a plain read).
SELECT q.account_id AS "accountId", k.key, k.response_status AS status, k.response_body->>'id' AS "resultId"
  FROM unnest($1::uuid[], $2::text[]) AS q(account_id, key)
  JOIN accounts a ON a.id = q.account_id
  JOIN idempotency_keys k ON k.user_id = a.user_id AND k.key = q.key
