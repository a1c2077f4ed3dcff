-- The `accounts` read of the reference stack's target description (contract/target.ts): each
-- account's balance, the sum of its ledger entries, and the money funded into it.
-- $1 account ids (text[])
-- Returns one row per account: id, balance, ledgerSum, fundedNet (deposits + transfers in − out).
-- Locks nothing (a plain read).
SELECT a.id, a.balance,
       coalesce(sum(l.amount), 0)::bigint AS "ledgerSum",
       coalesce(sum(l.amount) FILTER (WHERE l.kind IN ('deposit', 'transfer_in', 'transfer_out')), 0)::bigint
         AS "fundedNet"
  FROM accounts a LEFT JOIN ledger_entries l ON l.account_id = a.id
 WHERE a.id = ANY($1::uuid[])
 GROUP BY a.id
