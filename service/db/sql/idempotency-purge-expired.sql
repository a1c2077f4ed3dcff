-- Deletes up to $1 expired idempotency keys. Returns: nothing (rowCount = deleted). Lock: the deleted rows.
DELETE FROM idempotency_keys
 WHERE ctid IN (SELECT ctid FROM idempotency_keys WHERE expires_at < now() LIMIT $1)
