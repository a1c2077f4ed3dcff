-- The oldest rows of the invalidation outbox: cache entries still to purge. $1 batch size.
-- Returns: id, user_id, caches. Lock: none (two processes purging the same row is harmless: a purge is
-- idempotent, and the delete of an already deleted id deletes nothing).
SELECT id, user_id, caches FROM cache_invalidations ORDER BY id LIMIT $1
