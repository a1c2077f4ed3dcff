-- Broken variant `refund-twice` only: credits a failed transfer's amount to its account a second time,
-- with no ledger entry (the reversal index allows one reversal entry per transfer, so a double refund is
-- this).
-- $1 transfer id. Returns: nothing. Lock: the account row, for this statement only.
UPDATE accounts a SET balance = a.balance + t.amount, updated_at = now()
  FROM bank_transfers t
 WHERE t.id = $1 AND a.id = t.account_id
