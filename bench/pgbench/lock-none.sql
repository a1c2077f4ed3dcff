-- The sabotage of the lock strategies: read the balance without a lock, write back the value read
-- minus one. Concurrent debits overwrite each other (lost updates), which the section's exact-debits
-- check must count: it shows that check can fail. Lock: only the UPDATE's, too late.
\set aid 1 + :spread * :client_id
BEGIN;
SELECT balance AS bal FROM bench_accounts WHERE id = :aid \gset
\if :bal >= 1
UPDATE bench_accounts SET balance = :bal::bigint - 1 WHERE id = :aid;
INSERT INTO bench_transfers (account_id, amount) VALUES (:aid, 1);
\endif
END;
