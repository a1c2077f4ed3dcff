-- Marks leased outbox rows as published (their jobs are in BullMQ), in a statement of its own.
-- $1 uuid[] of transfer ids. Returns: nothing. Lock: the rows, for this statement only.
UPDATE bank_transfers SET published_at = now() WHERE id = ANY($1) AND published_at IS NULL
