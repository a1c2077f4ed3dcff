-- Leases a batch of unpublished outbox rows to one relay, in a statement (a transaction) of its own, so no
-- lock is held while the relay publishes them. Only PENDING ones: a payout held for a fraud review
-- (MANUAL_REVIEW) waits until an operator releases it (PENDING again), and one refused meanwhile (FAILED)
-- has nothing left to send. A row leased to another relay is skipped until its lease runs out; one leased
-- to this relay (a publish that failed) is taken again at once.
-- $1 batch size, $2 lease (ms), $3 the relay's name. Returns: id, created_at.
-- Lock: FOR UPDATE SKIP LOCKED on the leased rows, for this statement only (relays never wait on each
-- other, nor on a worker's claim).
WITH free AS (
  SELECT id
    FROM bank_transfers
   WHERE published_at IS NULL AND status = 'PENDING'
     AND (publish_lease_until IS NULL OR publish_lease_until < clock_timestamp() OR publish_lease_owner = $3)
   ORDER BY created_at
   LIMIT $1
     FOR UPDATE SKIP LOCKED
)
UPDATE bank_transfers t
   SET publish_lease_until = clock_timestamp() + $2 * interval '1 millisecond', publish_lease_owner = $3
  FROM free
 WHERE t.id = free.id
RETURNING t.id, t.created_at
