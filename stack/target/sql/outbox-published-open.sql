-- Payouts published to the queue and still open (native:queue, for redis-failover: the jobs a Redis
-- failover can lose).
-- No parameters.
-- Returns: id, one row per payout.
-- Locks nothing (a plain read).
SELECT id FROM bank_transfers WHERE published_at IS NOT NULL AND status IN ('PENDING', 'PROCESSING')
