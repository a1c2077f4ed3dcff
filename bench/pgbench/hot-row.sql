-- A debit of the one hot account (id 1) in five statements: every client locks the same row, so each
-- transaction waits for the one before it to commit. The same work as the service's payout, minus its
-- idempotency key, ledger entry and outbox row.
-- Lock: FOR UPDATE on bench_accounts row 1, from the SELECT until END (the commit, with its WAL flush).
\set aid 1
BEGIN;
SELECT balance FROM bench_accounts WHERE id = :aid FOR UPDATE;
UPDATE bench_accounts SET balance = balance - 1 WHERE id = :aid;
INSERT INTO bench_transfers (account_id, amount) VALUES (:aid, 1);
END;
