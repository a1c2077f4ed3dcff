-- Payouts with deadlines (issue 16).
--
-- A payout queued behind a database that did not answer (PostgreSQL paused, a connection lost without
-- a reset) used to wait in the API's memory without bound and, once the database was back, be written
-- even though its client had long given up. Now each payout carries a deadline (PAYOUT_DEADLINE_MS after
-- it reached the money path, service/money/operations.ts): the API answers it by then, and
-- payout_batch() refuses to write it past it, so that an answer "not written" stays true however late
-- the batch reaches the database.

-- payout_batch() of 0009 plus `p_deadlines` (one per payout; null: none, as for payout() and every
-- caller before). A new payout whose deadline has passed is `deadline_exceeded`: nothing stored, not
-- its key either, so a retry with the same key is a new request. It is checked in phase 1, and again
-- at the moment the row lock is granted, which decides the write; the wait for that lock ends by the
-- latest deadline of the batch's payouts (lock_timeout is the smaller of the two). A replay answers its
-- stored response whatever its deadline: it writes nothing. A key twice in one batch stays `in_flight`
-- here, but the API never sends one (it holds a duplicate back for a later batch,
-- service/money/payout-coalescer.ts). Everything else is as in 0009.
DROP FUNCTION payout_batch(uuid, uuid, bigint[], text[], text[], text[], bytea[], text[], int);

CREATE FUNCTION payout_batch(p_user_id uuid, p_account_id uuid, p_amounts bigint[], p_currencies text[],
                             p_destinations text[], p_idem_keys text[], p_request_hashes bytea[],
                             p_hold_reasons text[], p_lock_timeout_ms int,
                             p_deadlines timestamptz[] DEFAULT NULL)
RETURNS TABLE (item int, outcome text, response_status int, response_body jsonb, lock_wait_s float8,
               lock_hold_s float8)
LANGUAGE plpgsql AS $$
DECLARE
  n int := cardinality(p_amounts);
  outcomes text[] := array_fill(NULL::text, ARRAY[n]);
  statuses int[] := array_fill(NULL::int, ARRAY[n]);
  bodies jsonb[] := array_fill(NULL::jsonb, ARRAY[n]);
  idem record;
  account_owner uuid;
  account_currency text;
  pending bigint := 0;
  pending_count int := 0;
  undated boolean := false;
  latest timestamptz;
  wait_ms bigint := p_lock_timeout_ms;
  balance_now bigint;
  debited bigint := 0;
  t bank_transfers;
  body jsonb;
  t_asked timestamptz;
  t_locked timestamptz;
  wait_s float8;
  hold_s float8;
BEGIN
  SELECT a.user_id, a.currency INTO account_owner, account_currency FROM accounts a WHERE a.id = p_account_id;
  FOR i IN 1..n LOOP
    IF p_idem_keys[i] IS NOT NULL AND p_idem_keys[i] = ANY (p_idem_keys[1:i - 1]) THEN
      outcomes[i] := 'in_flight';
      CONTINUE;
    END IF;
    SELECT * INTO idem FROM idem_lookup(p_user_id, p_idem_keys[i], p_request_hashes[i]);
    IF idem.outcome <> 'new' THEN
      outcomes[i] := idem.outcome;
      statuses[i] := idem.response_status;
      bodies[i] := idem.response_body;
    ELSIF p_deadlines[i] < clock_timestamp() THEN
      outcomes[i] := 'deadline_exceeded';
    ELSIF account_owner IS NULL THEN
      outcomes[i] := 'account_not_found';
    ELSIF account_owner <> p_user_id THEN
      outcomes[i] := 'forbidden';
    ELSIF account_currency <> p_currencies[i] THEN
      outcomes[i] := 'currency_mismatch';
    ELSE
      pending := pending + p_amounts[i];
      pending_count := pending_count + 1;
      undated := undated OR p_deadlines[i] IS NULL;
      latest := greatest(latest, p_deadlines[i]);
    END IF;
  END LOOP;

  IF pending_count > 0 THEN
    IF NOT undated THEN
      wait_ms := least(wait_ms, greatest(1, ceil(extract(epoch FROM latest - clock_timestamp()) * 1000)));
    END IF;
    PERFORM set_config('lock_timeout', wait_ms || 'ms', true);
    t_asked := clock_timestamp();
    SELECT a.balance INTO balance_now FROM accounts a WHERE a.id = p_account_id FOR UPDATE;
    t_locked := clock_timestamp();
    wait_s := extract(epoch FROM t_locked - t_asked);

    FOR i IN 1..n LOOP
      CONTINUE WHEN outcomes[i] IS NOT NULL;
      IF p_deadlines[i] < t_locked THEN
        outcomes[i] := 'deadline_exceeded';
        CONTINUE;
      END IF;
      IF balance_now - debited < p_amounts[i] THEN
        body := error_body('insufficient_funds', 'the account balance is lower than the amount');
        PERFORM idem_store(p_user_id, p_idem_keys[i], p_request_hashes[i], 422, body);
        outcomes[i] := 'insufficient_funds';
        statuses[i] := 422;
        bodies[i] := body;
        CONTINUE;
      END IF;
      debited := debited + p_amounts[i];
      INSERT INTO bank_transfers (user_id, account_id, amount, currency, destination, status)
      VALUES (p_user_id, p_account_id, p_amounts[i], p_currencies[i], p_destinations[i],
              CASE WHEN p_hold_reasons[i] IS NULL THEN 'PENDING' ELSE 'MANUAL_REVIEW' END::transfer_status)
      RETURNING * INTO t;
      INSERT INTO ledger_entries (account_id, amount, kind, transfer_id, operation_id)
      VALUES (p_account_id, -p_amounts[i], 'payout', t.id, t.id);
      IF p_hold_reasons[i] IS NOT NULL THEN
        INSERT INTO payout_holds (transfer_id, reason) VALUES (t.id, p_hold_reasons[i]);
      END IF;
      body := transfer_json(t);
      PERFORM idem_store(p_user_id, p_idem_keys[i], p_request_hashes[i], 201, body);
      outcomes[i] := CASE WHEN p_hold_reasons[i] IS NULL THEN 'created' ELSE 'held' END;
      statuses[i] := 201;
      bodies[i] := body;
    END LOOP;

    IF debited > 0 THEN
      UPDATE accounts a SET balance = a.balance - debited, updated_at = now() WHERE a.id = p_account_id;
    END IF;
    hold_s := extract(epoch FROM clock_timestamp() - t_locked);
  END IF;

  RETURN QUERY SELECT g.i, outcomes[g.i], statuses[g.i], bodies[g.i], wait_s, hold_s
                 FROM generate_series(1, n) AS g(i);
END $$;
