-- The worker claims and settles many transfers per statement (issue 19, WORKER_BATCH).
--
-- Each payout job made two statements of its own, the claim and the settle, each its own transaction and
-- WAL flush. With WORKER_BATCH=on, the claims (and, apart, the settles) that a worker's concurrent jobs
-- make while one such statement is in flight go together in the next one (service/worker/
-- transfer-statements.ts). Per row, these functions answer exactly what transfer_claim() (0010) and
-- service/db/sql/transfer-settle.sql answer for one id. Rows are locked in id order, as every statement
-- that locks many transfers locks them (the relay's outbox-mark-published.sql, recon's marks), so no two
-- of them wait on each other in a cycle; the wait for any row ends at the lock timeout, and the worker
-- then runs each id of the batch on its own statement, so one busy row fails only its own.

-- transfer_claim() for many ids: `claimed` and the row per existing id (true: the row now PROCESSING with
-- one more attempt; false: the row as it was, terminal or in manual review); no row for an id that does
-- not exist; one row per distinct id. Lock: the claimable rows, in id order, for the statement, each
-- waited for at most p_lock_timeout_ms (then 55P03, nothing changed).
CREATE FUNCTION transfer_claim_many(p_ids uuid[], p_lock_timeout_ms int)
RETURNS TABLE (claimed boolean, transfer bank_transfers)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('lock_timeout', p_lock_timeout_ms || 'ms', true);
  PERFORM FROM bank_transfers
    WHERE id = ANY (p_ids) AND status IN ('PENDING', 'PROCESSING')
    ORDER BY id
      FOR UPDATE;
  RETURN QUERY
    WITH moved AS (
      UPDATE bank_transfers
         SET status = 'PROCESSING', attempts = attempts + 1, updated_at = now()
       WHERE id = ANY (p_ids) AND status IN ('PENDING', 'PROCESSING')
      RETURNING bank_transfers AS t
    )
    SELECT true, m.t FROM moved m
    UNION ALL
    SELECT false, b FROM bank_transfers b
     WHERE b.id = ANY (p_ids) AND NOT EXISTS (SELECT FROM moved m WHERE (m.t).id = b.id);
END $$;

-- transfer-settle.sql for many ids, each with its bank charge id (p_ids[i] with p_charge_ids[i]): SETTLED
-- unless already terminal. Returns: the ids it settled. Lock: the rows it settles, in id order, for the
-- statement, each waited for at most p_lock_timeout_ms (then 55P03, nothing changed).
CREATE FUNCTION transfer_settle_many(p_ids uuid[], p_charge_ids text[], p_lock_timeout_ms int)
RETURNS SETOF uuid
LANGUAGE plpgsql AS $$
BEGIN
  IF cardinality(p_ids) IS DISTINCT FROM cardinality(p_charge_ids) THEN
    RAISE EXCEPTION 'transfer_settle_many: % ids but % charge ids', cardinality(p_ids), cardinality(p_charge_ids)
      USING ERRCODE = '22023';
  END IF;
  PERFORM set_config('lock_timeout', p_lock_timeout_ms || 'ms', true);
  PERFORM FROM bank_transfers
    WHERE id = ANY (p_ids) AND status IN ('PENDING', 'PROCESSING', 'MANUAL_REVIEW')
    ORDER BY id
      FOR UPDATE;
  RETURN QUERY
    UPDATE bank_transfers b
       SET status = 'SETTLED', bank_charge_id = s.charge_id, last_error = NULL, updated_at = now(),
           completed_at = now()
      FROM unnest(p_ids, p_charge_ids) AS s(id, charge_id)
     WHERE b.id = s.id AND b.status IN ('PENDING', 'PROCESSING', 'MANUAL_REVIEW')
    RETURNING b.id;
END $$;
