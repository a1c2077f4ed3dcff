-- hot-row.sql with one row per client (client n debits account n + 1): the same five statements without
-- contention, so commits can share WAL flushes (group commit).
-- Lock: FOR UPDATE on the client's own bench_accounts row, from the SELECT until END.
\set aid :client_id + 1
BEGIN;
SELECT balance FROM bench_accounts WHERE id = :aid FOR UPDATE;
UPDATE bench_accounts SET balance = balance - 1 WHERE id = :aid;
INSERT INTO bench_transfers (account_id, amount) VALUES (:aid, 1);
END;
