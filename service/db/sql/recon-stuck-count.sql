-- Transfers open and unmoved for longer than $1 milliseconds. Returns: n. Lock: none.
SELECT count(*)::int AS n FROM bank_transfers
 WHERE status IN ('PENDING', 'PROCESSING') AND updated_at < now() - $1 * interval '1 millisecond'
