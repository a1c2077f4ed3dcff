-- Payouts whose outbox rows are not yet marked published (native:queue, for relay-pause: those whose
-- jobs are already in the queue were published by a relay that has not marked them).
-- No parameters.
-- Returns: id, one row per payout.
-- Locks nothing (a plain read).
SELECT id FROM bank_transfers WHERE published_at IS NULL
