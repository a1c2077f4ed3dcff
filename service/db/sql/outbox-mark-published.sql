-- Marks leased outbox rows as published (their jobs are in BullMQ), in a statement of its own.
-- $1 uuid[] of transfer ids. Returns: nothing.
-- Lock: the rows, in id order, for this statement only. Every statement that locks many transfers and
-- waits takes them in id order (a worker's claim and settle of many, migration 0013; recon's marks), so
-- no two of them ever wait on each other in a cycle (a deadlock, then a second's stall for both).
UPDATE bank_transfers t
   SET published_at = now()
  FROM (SELECT id FROM bank_transfers WHERE id = ANY($1) AND published_at IS NULL ORDER BY id FOR UPDATE) AS locked
 WHERE t.id = locked.id
