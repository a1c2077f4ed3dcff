-- Lock strategy (d): optimistic, READ COMMITTED: read balance and version without a lock, then debit
-- only if the version is unchanged (bench_debit_if_version, schema.sql); a changed version is a
-- 40001, retried by pgbench --max-tries from the script's start. Lock: the update lock of the UPDATE.
\set aid 1 + :spread * :client_id
BEGIN;
SELECT balance AS bal, version AS ver FROM bench_accounts WHERE id = :aid \gset
\if :bal >= 1
SELECT bench_debit_if_version(:aid, :ver);
\endif
END;
