-- Broken variant `unordered-transfer-locks` only: moves the money of an internal transfer whose two
-- account rows the caller already locked, with both ledger legs. $1 from, $2 to, $3 amount, $4 currency.
-- Returns: body (the transfer's JSON, as transfer_funds() answers it). Lock: the two rows, already held.
WITH op AS (SELECT gen_random_uuid() AS id),
debit AS (UPDATE accounts SET balance = balance - $3, updated_at = now() WHERE id = $1),
credit AS (UPDATE accounts SET balance = balance + $3, updated_at = now() WHERE id = $2),
legs AS (
  INSERT INTO ledger_entries (account_id, amount, kind, operation_id)
  SELECT $1, -$3, 'transfer_out', op.id FROM op
  UNION ALL
  SELECT $2, $3, 'transfer_in', op.id FROM op
)
SELECT jsonb_build_object('id', op.id, 'fromAccountId', $1::uuid, 'toAccountId', $2::uuid, 'amount', $3::bigint,
                          'currency', $4::text, 'createdAt', now()) AS body
  FROM op
