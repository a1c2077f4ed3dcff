-- The `open` read of the reference stack's target description: payouts of the accounts that are
-- neither SETTLED nor FAILED, polled while a scenario waits for them to finish.
-- $1 account ids (text[])
-- Returns one row: transfers, amount (their sum).
-- Locks nothing (a plain read).
SELECT count(*)::int AS transfers, coalesce(sum(amount), 0)::bigint AS amount
  FROM bank_transfers
 WHERE account_id = ANY($1::uuid[]) AND status NOT IN ('SETTLED', 'FAILED')
