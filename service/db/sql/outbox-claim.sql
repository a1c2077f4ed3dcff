-- Claims a batch of unpublished outbox rows for this relay; other relays skip them. Payouts held for a
-- fraud review (MANUAL_REVIEW, never published) wait until an operator releases them.
-- $1 batch size. Returns: id, created_at. Lock: FOR UPDATE SKIP LOCKED on the claimed rows (until COMMIT).
SELECT id, created_at
  FROM bank_transfers
 WHERE published_at IS NULL AND status <> 'MANUAL_REVIEW'
 ORDER BY created_at
 LIMIT $1
   FOR UPDATE SKIP LOCKED
