-- The money operations as SQL functions, so each is ONE client round trip: the row lock is taken,
-- used and released (at the commit that ends the statement) without waiting on the network.
-- Lock wait and lock hold are measured here with clock_timestamp(); hold excludes the commit itself.

-- Stripe's idempotency semantics in one place. Outcomes:
--   new        no live key: go ahead (the caller stores the response with idem_store)
--   in_flight  another transaction holds this key right now (the client gets 409 at once, no queueing)
--   key_reused the key was used with a different request body (422)
--   replay     same key, same body: response_status/response_body are the stored first response
CREATE FUNCTION idem_lookup(p_user_id uuid, p_key text, p_request_hash bytea,
                            OUT outcome text, OUT response_status int, OUT response_body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
  k idempotency_keys;
BEGIN
  outcome := 'new';
  IF p_key IS NULL THEN
    RETURN;
  END IF;
  -- Held until this transaction ends, i.e. until the key row below is committed with its effect.
  IF NOT pg_try_advisory_xact_lock(hashtextextended(p_user_id::text || '/' || p_key, 0)) THEN
    outcome := 'in_flight';
    RETURN;
  END IF;
  SELECT * INTO k FROM idempotency_keys WHERE user_id = p_user_id AND key = p_key;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  IF k.expires_at <= now() THEN
    DELETE FROM idempotency_keys WHERE user_id = p_user_id AND key = p_key;
    RETURN;
  END IF;
  IF k.request_hash <> p_request_hash THEN
    outcome := 'key_reused';
    RETURN;
  END IF;
  outcome := 'replay';
  response_status := k.response_status;
  response_body := k.response_body;
END $$;

CREATE FUNCTION idem_store(p_user_id uuid, p_key text, p_request_hash bytea, p_status int, p_body jsonb)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF p_key IS NOT NULL THEN
    INSERT INTO idempotency_keys (user_id, key, request_hash, response_status, response_body)
    VALUES (p_user_id, p_key, p_request_hash, p_status, p_body);
  END IF;
END $$;

CREATE FUNCTION error_body(p_code text, p_message text) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$ SELECT jsonb_build_object('code', p_code, 'message', p_message) $$;

CREATE FUNCTION transfer_json(t bank_transfers) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('id', t.id, 'accountId', t.account_id, 'amount', t.amount, 'currency', t.currency,
                            'destination', t.destination, 'status', t.status, 'createdAt', t.created_at)
$$;

-- Ownership and currency come from rows that never change them, so they are checked WITHOUT a lock:
-- a caller can never make another user's account row wait.
CREATE FUNCTION owned_account_problem(p_user_id uuid, p_account_id uuid, p_currency text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
  a accounts;
BEGIN
  SELECT * INTO a FROM accounts WHERE id = p_account_id;
  IF NOT FOUND THEN RETURN 'account_not_found'; END IF;
  IF a.user_id <> p_user_id THEN RETURN 'forbidden'; END IF;
  IF a.currency <> p_currency THEN RETURN 'currency_mismatch'; END IF;
  RETURN NULL;
END $$;

-- Payout: debit + outbox row + idempotency key, in one transaction and one round trip.
-- Lock: FOR UPDATE on the one account row, under lock_timeout.
CREATE FUNCTION payout(p_user_id uuid, p_account_id uuid, p_amount bigint, p_currency text, p_destination text,
                       p_idem_key text, p_request_hash bytea, p_lock_timeout_ms int)
RETURNS TABLE (outcome text, response_status int, response_body jsonb, lock_wait_s float8, lock_hold_s float8)
LANGUAGE plpgsql AS $$
DECLARE
  idem record;
  problem text;
  balance_now bigint;
  t bank_transfers;
  body jsonb;
  t_asked timestamptz;
  t_locked timestamptz;
BEGIN
  SELECT * INTO idem FROM idem_lookup(p_user_id, p_idem_key, p_request_hash);
  IF idem.outcome <> 'new' THEN
    RETURN QUERY SELECT idem.outcome, idem.response_status, idem.response_body, NULL::float8, NULL::float8;
    RETURN;
  END IF;
  problem := owned_account_problem(p_user_id, p_account_id, p_currency);
  IF problem IS NOT NULL THEN
    RETURN QUERY SELECT problem, NULL::int, NULL::jsonb, NULL::float8, NULL::float8;
    RETURN;
  END IF;

  PERFORM set_config('lock_timeout', p_lock_timeout_ms || 'ms', true);
  t_asked := clock_timestamp();
  SELECT balance INTO balance_now FROM accounts WHERE id = p_account_id FOR UPDATE;
  t_locked := clock_timestamp();

  IF balance_now < p_amount THEN
    -- A business outcome, stored against the key like a success: a retry gets the same answer.
    body := error_body('insufficient_funds', 'the account balance is lower than the amount');
    PERFORM idem_store(p_user_id, p_idem_key, p_request_hash, 422, body);
    RETURN QUERY SELECT 'insufficient_funds', 422, body,
      extract(epoch FROM t_locked - t_asked)::float8, extract(epoch FROM clock_timestamp() - t_locked)::float8;
    RETURN;
  END IF;

  UPDATE accounts SET balance = balance - p_amount, updated_at = now() WHERE id = p_account_id;
  INSERT INTO bank_transfers (user_id, account_id, amount, currency, destination)
  VALUES (p_user_id, p_account_id, p_amount, p_currency, p_destination)
  RETURNING * INTO t;
  INSERT INTO ledger_entries (account_id, amount, kind, transfer_id, operation_id)
  VALUES (p_account_id, -p_amount, 'payout', t.id, t.id);
  body := transfer_json(t);
  PERFORM idem_store(p_user_id, p_idem_key, p_request_hash, 201, body);
  -- Wakes the relay at commit; its polling fallback covers a missed notification.
  PERFORM pg_notify('bank_transfers', t.id::text);
  RETURN QUERY SELECT 'created', 201, body,
    extract(epoch FROM t_locked - t_asked)::float8, extract(epoch FROM clock_timestamp() - t_locked)::float8;
END $$;

-- Internal transfer between two accounts. Both rows are locked in one fixed order (by id), so
-- concurrent A->B and B->A transfers cannot deadlock.
CREATE FUNCTION transfer_funds(p_user_id uuid, p_from uuid, p_to uuid, p_amount bigint, p_currency text,
                               p_idem_key text, p_request_hash bytea, p_lock_timeout_ms int)
RETURNS TABLE (outcome text, response_status int, response_body jsonb, lock_wait_s float8, lock_hold_s float8)
LANGUAGE plpgsql AS $$
DECLARE
  idem record;
  problem text;
  to_currency text;
  balance_now bigint;
  op uuid := gen_random_uuid();
  body jsonb;
  t_asked timestamptz;
  t_locked timestamptz;
BEGIN
  SELECT * INTO idem FROM idem_lookup(p_user_id, p_idem_key, p_request_hash);
  IF idem.outcome <> 'new' THEN
    RETURN QUERY SELECT idem.outcome, idem.response_status, idem.response_body, NULL::float8, NULL::float8;
    RETURN;
  END IF;
  problem := owned_account_problem(p_user_id, p_from, p_currency);
  IF problem IS NULL THEN
    SELECT currency INTO to_currency FROM accounts WHERE id = p_to;
    IF NOT FOUND THEN
      problem := 'destination_not_found';
    ELSIF to_currency <> p_currency THEN
      problem := 'currency_mismatch';
    END IF;
  END IF;
  IF problem IS NOT NULL THEN
    RETURN QUERY SELECT problem, NULL::int, NULL::jsonb, NULL::float8, NULL::float8;
    RETURN;
  END IF;

  PERFORM set_config('lock_timeout', p_lock_timeout_ms || 'ms', true);
  t_asked := clock_timestamp();
  PERFORM 1 FROM accounts WHERE id IN (p_from, p_to) ORDER BY id FOR UPDATE;
  t_locked := clock_timestamp();
  SELECT balance INTO balance_now FROM accounts WHERE id = p_from;

  IF balance_now < p_amount THEN
    body := error_body('insufficient_funds', 'the account balance is lower than the amount');
    PERFORM idem_store(p_user_id, p_idem_key, p_request_hash, 422, body);
    RETURN QUERY SELECT 'insufficient_funds', 422, body,
      extract(epoch FROM t_locked - t_asked)::float8, extract(epoch FROM clock_timestamp() - t_locked)::float8;
    RETURN;
  END IF;

  UPDATE accounts SET balance = balance - p_amount, updated_at = now() WHERE id = p_from;
  UPDATE accounts SET balance = balance + p_amount, updated_at = now() WHERE id = p_to;
  INSERT INTO ledger_entries (account_id, amount, kind, operation_id)
  VALUES (p_from, -p_amount, 'transfer_out', op), (p_to, p_amount, 'transfer_in', op);
  body := jsonb_build_object('id', op, 'fromAccountId', p_from, 'toAccountId', p_to, 'amount', p_amount,
                             'currency', p_currency, 'createdAt', now());
  PERFORM idem_store(p_user_id, p_idem_key, p_request_hash, 201, body);
  RETURN QUERY SELECT 'created', 201, body,
    extract(epoch FROM t_locked - t_asked)::float8, extract(epoch FROM clock_timestamp() - t_locked)::float8;
END $$;

-- Deposit (funds an account for tests and demos).
CREATE FUNCTION deposit(p_user_id uuid, p_account_id uuid, p_amount bigint, p_currency text,
                        p_idem_key text, p_request_hash bytea, p_lock_timeout_ms int)
RETURNS TABLE (outcome text, response_status int, response_body jsonb, lock_wait_s float8, lock_hold_s float8)
LANGUAGE plpgsql AS $$
DECLARE
  idem record;
  problem text;
  balance_now bigint;
  op uuid := gen_random_uuid();
  body jsonb;
  t_asked timestamptz;
  t_locked timestamptz;
BEGIN
  SELECT * INTO idem FROM idem_lookup(p_user_id, p_idem_key, p_request_hash);
  IF idem.outcome <> 'new' THEN
    RETURN QUERY SELECT idem.outcome, idem.response_status, idem.response_body, NULL::float8, NULL::float8;
    RETURN;
  END IF;
  problem := owned_account_problem(p_user_id, p_account_id, p_currency);
  IF problem IS NOT NULL THEN
    RETURN QUERY SELECT problem, NULL::int, NULL::jsonb, NULL::float8, NULL::float8;
    RETURN;
  END IF;

  PERFORM set_config('lock_timeout', p_lock_timeout_ms || 'ms', true);
  t_asked := clock_timestamp();
  UPDATE accounts SET balance = balance + p_amount, updated_at = now() WHERE id = p_account_id
  RETURNING balance INTO balance_now;
  t_locked := clock_timestamp();
  INSERT INTO ledger_entries (account_id, amount, kind, operation_id) VALUES (p_account_id, p_amount, 'deposit', op);
  body := jsonb_build_object('id', op, 'accountId', p_account_id, 'amount', p_amount, 'currency', p_currency,
                             'balance', balance_now, 'createdAt', now());
  PERFORM idem_store(p_user_id, p_idem_key, p_request_hash, 201, body);
  RETURN QUERY SELECT 'created', 201, body,
    extract(epoch FROM t_locked - t_asked)::float8, extract(epoch FROM clock_timestamp() - t_locked)::float8;
END $$;

-- A payout that will not be paid: FAILED, and its money returned by a reversal entry, atomically.
-- Returns false when the transfer was already terminal (a second call refunds nothing).
CREATE FUNCTION fail_transfer(p_id uuid, p_reason text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  t bank_transfers;
BEGIN
  UPDATE bank_transfers
     SET status = 'FAILED', last_error = p_reason, updated_at = now(), completed_at = now()
   WHERE id = p_id AND status IN ('PENDING', 'PROCESSING', 'MANUAL_REVIEW')
  RETURNING * INTO t;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  UPDATE accounts SET balance = balance + t.amount, updated_at = now() WHERE id = t.account_id;
  INSERT INTO ledger_entries (account_id, amount, kind, transfer_id, operation_id)
  VALUES (t.account_id, t.amount, 'payout_reversal', t.id, t.id);
  RETURN true;
END $$;
