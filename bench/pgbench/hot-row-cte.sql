-- hot-row.sql as ONE statement (a CTE): the lock is taken and released within one round trip, as the
-- service's SQL functions do, so no client round trip is spent holding it.
-- Lock: FOR UPDATE on bench_accounts row 1 for the statement and its commit.
\set aid 1
WITH locked AS (
  SELECT id FROM bench_accounts WHERE id = :aid FOR UPDATE
), debited AS (
  UPDATE bench_accounts a SET balance = a.balance - 1 FROM locked WHERE a.id = locked.id RETURNING a.id
)
INSERT INTO bench_transfers (account_id, amount) SELECT id, 1 FROM debited;
