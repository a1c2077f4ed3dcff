-- Claims a batch of unpublished outbox rows for this relay; other relays skip them. Only PENDING ones:
-- a payout held for a fraud review (MANUAL_REVIEW) waits until an operator releases it (PENDING again),
-- and one refused meanwhile (FAILED) has nothing left to send.
-- $1 batch size. Returns: id, created_at. Lock: FOR UPDATE SKIP LOCKED on the claimed rows (until COMMIT).
SELECT id, created_at
  FROM bank_transfers
 WHERE published_at IS NULL AND status = 'PENDING'
 ORDER BY created_at
 LIMIT $1
   FOR UPDATE SKIP LOCKED
