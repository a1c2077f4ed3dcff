-- How many outbox rows wait for the relay (the partial index makes this cheap): PENDING ones, as the
-- relay claims them (payouts held for review are not waiting for it). Returns: n. Lock: none.
SELECT count(*)::int AS n FROM bank_transfers WHERE published_at IS NULL AND status = 'PENDING'
