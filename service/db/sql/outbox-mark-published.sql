-- Marks claimed outbox rows as published (their jobs are in BullMQ). $1 uuid[] of transfer ids.
-- Returns: nothing. Lock: the rows are already locked by outbox-claim in the same transaction.
UPDATE bank_transfers SET published_at = now() WHERE id = ANY($1)
