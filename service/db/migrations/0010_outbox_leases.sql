-- The relay leases outbox rows instead of locking them across its publish (issue 16).
--
-- The relay used to claim rows with SELECT … FOR UPDATE SKIP LOCKED and keep the transaction open through
-- BullMQ's addBulk: a relay paused or hung after addBulk kept the rows locked with no bound, and the jobs
-- it had already added sent workers to claim those very rows, where they waited on the lock (every worker
-- slot and pool connection could block). Now a claim is a lease written in a statement of its own
-- (service/db/sql/outbox-claim.sql): no lock outlives it, the publish holds nothing, and a lease that
-- runs out (its relay dead or stopped) lets another relay take the rows. Publishing a row twice is
-- harmless: its job id is derived from the transfer id, and the worker's claim skips a closed transfer.

-- Until when, and by whom, an unpublished row is claimed by a relay (null: never claimed). Not indexed:
-- the relay reads them on the rows the partial bank_transfers_unpublished_idx already narrows to.
ALTER TABLE bank_transfers
  ADD COLUMN publish_lease_until timestamptz,
  ADD COLUMN publish_lease_owner text;

-- The worker's claim of a transfer (service/db/sql/transfer-claim.sql) under a lock timeout of its own:
-- PROCESSING and one more attempt in one statement, or the row as it was. No lock is held across a
-- network call any more, but a claim must still never wait without a bound on whoever holds the row.
-- Returns: `claimed` and the row (claimed: true, the row now PROCESSING; false, the row untouched:
-- terminal or in manual review); no row when there is no such transfer. Lock: the row, for the statement.
CREATE FUNCTION transfer_claim(p_id uuid, p_lock_timeout_ms int)
RETURNS TABLE (claimed boolean, transfer bank_transfers)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('lock_timeout', p_lock_timeout_ms || 'ms', true);
  RETURN QUERY
    WITH moved AS (
      UPDATE bank_transfers
         SET status = 'PROCESSING', attempts = attempts + 1, updated_at = now()
       WHERE id = p_id AND status IN ('PENDING', 'PROCESSING')
      RETURNING bank_transfers AS t
    )
    SELECT true, m.t FROM moved m
    UNION ALL
    SELECT false, b FROM bank_transfers b WHERE b.id = p_id AND NOT EXISTS (SELECT FROM moved);
END $$;
