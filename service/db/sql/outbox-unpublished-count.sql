-- How many outbox rows wait for the relay (the partial index makes this cheap). Returns: n. Lock: none.
SELECT count(*)::int AS n FROM bank_transfers WHERE published_at IS NULL
