-- Whether one outbox row is still waiting for its purge. $1 id. Returns: pending (boolean). Lock: none.
SELECT EXISTS (SELECT 1 FROM cache_invalidations WHERE id = $1) AS pending
