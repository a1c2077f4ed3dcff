-- Lock strategy (c): SERIALIZABLE, a plain read of the balance, the debit if it covers it; concurrent
-- debits of one row fail with 40001, retried by pgbench --max-tries from the script's start.
-- Lock: the account row's update lock from the UPDATE until END, plus SSI's predicate locks.
\set aid 1 + :spread * :client_id
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT balance AS bal FROM bench_accounts WHERE id = :aid \gset
\if :bal >= 1
UPDATE bench_accounts SET balance = balance - 1 WHERE id = :aid;
INSERT INTO bench_transfers (account_id, amount) VALUES (:aid, 1);
\endif
END;
