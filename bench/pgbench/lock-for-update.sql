-- Lock strategy (a), the service's: READ COMMITTED, SELECT … FOR UPDATE, the balance checked by the
-- client, then the debit and its row. `-D spread=0` debits the one hot account, `spread=1` one account
-- per client. Lock: FOR UPDATE on the account row, from the SELECT until END.
\set aid 1 + :spread * :client_id
BEGIN;
SELECT balance AS bal FROM bench_accounts WHERE id = :aid FOR UPDATE \gset
\if :bal >= 1
UPDATE bench_accounts SET balance = balance - 1 WHERE id = :aid;
INSERT INTO bench_transfers (account_id, amount) VALUES (:aid, 1);
\endif
END;
