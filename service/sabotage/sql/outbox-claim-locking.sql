-- Broken variant `relay-holds-locks` only: claims unpublished outbox rows by locking them for the rest
-- of the caller's transaction, which stays open through the publish to Redis.
-- $1 batch size. Returns: id, created_at. Lock: FOR UPDATE SKIP LOCKED on the claimed rows, until COMMIT.
SELECT id, created_at
  FROM bank_transfers
 WHERE published_at IS NULL AND status = 'PENDING'
 ORDER BY created_at
 LIMIT $1
   FOR UPDATE SKIP LOCKED
