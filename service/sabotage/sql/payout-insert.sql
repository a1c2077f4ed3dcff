-- Broken variant `no-row-lock` only: the outbox row and ledger entry of a payout, without the payout()
-- function.
-- $1 user_id, $2 account_id, $3 amount, $4 currency, $5 destination.
-- Returns: body (the payout's JSON, as payout() answers it). Lock: none beyond the inserts.
WITH t AS (
  INSERT INTO bank_transfers (user_id, account_id, amount, currency, destination)
  VALUES ($1, $2, $3, $4, $5)
  RETURNING *
), l AS (
  INSERT INTO ledger_entries (account_id, amount, kind, transfer_id, operation_id)
  SELECT account_id, -amount, 'payout', id, id FROM t
)
SELECT transfer_json(t) AS body FROM t
