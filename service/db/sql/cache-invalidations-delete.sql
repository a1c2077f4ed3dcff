-- Forgets outbox rows whose purge reached Redis. $1 ids (bigint[]). Returns: nothing. Lock: those rows.
DELETE FROM cache_invalidations WHERE id = ANY($1::bigint[])
