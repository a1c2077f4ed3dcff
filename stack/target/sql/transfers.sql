-- The `transfers` read of the reference stack's target description: every payout of the accounts,
-- with its refunds (payout_reversal ledger entries).
-- $1 account ids (text[])
-- Returns one row per payout: id, accountId, amount, status, attempts, reconAttempts, refunds,
-- refunded, createdAt, completedAt, destination.
-- Locks nothing (a plain read).
SELECT t.id, t.account_id AS "accountId", t.amount, t.status, t.attempts, t.recon_attempts AS "reconAttempts",
       coalesce(r.n, 0) AS refunds, coalesce(r.amount, 0) AS refunded,
       t.created_at AS "createdAt", t.completed_at AS "completedAt", t.destination
  FROM bank_transfers t
  LEFT JOIN (SELECT transfer_id, count(*)::int AS n, sum(amount)::bigint AS amount
               FROM ledger_entries WHERE kind = 'payout_reversal' GROUP BY transfer_id) r
    ON r.transfer_id = t.id
 WHERE t.account_id = ANY($1::uuid[])
