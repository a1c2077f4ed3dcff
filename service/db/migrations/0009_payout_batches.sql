-- Payouts without NOTIFY, and in batches (issue 9).
--
-- NOTIFY inside the money transaction serialised every commit database-wide (a notifying transaction
-- holds one lock through its commit and WAL flush) and kept commits from sharing fsyncs. payout() now
-- notifies no one: the API hints the relay over the queue Redis after the commit, outside any lock
-- (service/relay/relay.ts), and the relay still polls as the fallback.
--
-- payout_batch() is the one implementation of a debit. It takes one account's payouts (one or many,
-- gathered by the API while that account was busy: service/money/payout-coalescer.ts) and writes them in ONE
-- transaction: one row lock, one commit, one WAL flush; each payout keeps its own idempotency key,
-- stored response, ledger entry and outbox row, and the balance decides them in arrival order.

-- ---- payout_batch ---------------------------------------------------------------------------------

-- Payouts i = 1..n from one account of one user: amounts, currencies, destinations, keys, request
-- hashes and hold reasons (null: not held) as parallel arrays, in arrival order. One row per payout
-- (`item` = i) with the same outcomes as payout(); the lock figures are the batch's.
--
-- Phase 1, no row lock: each key's advisory lock and stored response (a key twice in one batch: the
-- second is in_flight, as if it had come while the first was in its transaction), then ownership and
-- currency from the account row, which never changes them. Phase 2: SELECT … FOR UPDATE on the account
-- row; each payout the balance covers is debited (ledger entry, outbox row or hold, stored 201); one it
-- does not is refused (422 stored), and later smaller ones may still pass; then one UPDATE of the
-- batch's total. CHECK (balance >= 0) stays the last line of defence. Lock: the account row, from
-- phase 2 to the commit; lock_wait_s is the wait for it, lock_hold_s from then to the end of the function.
CREATE FUNCTION payout_batch(p_user_id uuid, p_account_id uuid, p_amounts bigint[], p_currencies text[],
                             p_destinations text[], p_idem_keys text[], p_request_hashes bytea[],
                             p_hold_reasons text[], p_lock_timeout_ms int)
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
    ELSIF account_owner IS NULL THEN
      outcomes[i] := 'account_not_found';
    ELSIF account_owner <> p_user_id THEN
      outcomes[i] := 'forbidden';
    ELSIF account_currency <> p_currencies[i] THEN
      outcomes[i] := 'currency_mismatch';
    ELSE
      pending := pending + p_amounts[i];
      pending_count := pending_count + 1;
    END IF;
  END LOOP;

  IF pending_count > 0 THEN
    PERFORM set_config('lock_timeout', p_lock_timeout_ms || 'ms', true);
    t_asked := clock_timestamp();
    SELECT a.balance INTO balance_now FROM accounts a WHERE a.id = p_account_id FOR UPDATE;
    t_locked := clock_timestamp();
    wait_s := extract(epoch FROM t_locked - t_asked);

    FOR i IN 1..n LOOP
      CONTINUE WHEN outcomes[i] IS NOT NULL;
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

-- payout() of 0008, same signature and answer, now one payout through payout_batch and
-- without NOTIFY; kept for callers that debit one payout in SQL (the bench's backlogs, sabotages).
CREATE OR REPLACE FUNCTION payout(p_user_id uuid, p_account_id uuid, p_amount bigint, p_currency text,
                                  p_destination text, p_idem_key text, p_request_hash bytea,
                                  p_lock_timeout_ms int, p_hold_reason text DEFAULT NULL)
RETURNS TABLE (outcome text, response_status int, response_body jsonb, lock_wait_s float8, lock_hold_s float8)
LANGUAGE sql AS $$
  SELECT b.outcome, b.response_status, b.response_body, b.lock_wait_s, b.lock_hold_s
    FROM payout_batch(p_user_id, p_account_id, ARRAY[p_amount], ARRAY[p_currency], ARRAY[p_destination],
                      ARRAY[p_idem_key], ARRAY[p_request_hash], ARRAY[p_hold_reason], p_lock_timeout_ms) AS b
$$;
