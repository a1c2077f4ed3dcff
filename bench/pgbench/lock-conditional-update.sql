-- Lock strategy (b): one conditional atomic UPDATE … WHERE balance >= amount RETURNING, its row
-- appended in the same statement (autocommit). Lock: the account row's update lock, for the statement
-- and its commit.
\set aid 1 + :spread * :client_id
WITH debited AS (
  UPDATE bench_accounts SET balance = balance - 1 WHERE id = :aid AND balance >= 1 RETURNING id
)
INSERT INTO bench_transfers (account_id, amount) SELECT id, 1 FROM debited;
