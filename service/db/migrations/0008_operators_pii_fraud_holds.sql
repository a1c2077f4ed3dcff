-- Security: money is created by operators only (and every deposit records which one), contact details
-- are stored encrypted, and payouts held by the fraud rules wait for an operator's decision.

-- ---- Operators and deposits ---------------------------------------------------------------------

-- 'operator': may fund any account (deposits). Everyone else acts on their own accounts only.
ALTER TABLE users ADD COLUMN role text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'operator'));

-- Who created which money: one row per deposit, written in the deposit's transaction, next to its
-- ledger entry (same operation_id).
CREATE TABLE deposits (
  operation_id uuid PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id),
  amount bigint NOT NULL CHECK (amount > 0),
  currency char(3) NOT NULL,
  made_by uuid NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deposits_made_by_idx ON deposits (made_by, created_at);

-- The deposit of 0005 let any user fund their own account. Now: only an operator, into any account,
-- and the operator is recorded. Same shape of answer as the other money functions.
DROP FUNCTION deposit(uuid, uuid, bigint, text, text, bytea, int);
CREATE FUNCTION deposit(p_operator_id uuid, p_account_id uuid, p_amount bigint, p_currency text,
                        p_idem_key text, p_request_hash bytea, p_lock_timeout_ms int)
RETURNS TABLE (outcome text, response_status int, response_body jsonb, lock_wait_s float8, lock_hold_s float8)
LANGUAGE plpgsql AS $$
DECLARE
  idem record;
  account_currency text;
  balance_now bigint;
  op uuid := gen_random_uuid();
  body jsonb;
  t_asked timestamptz;
  t_locked timestamptz;
BEGIN
  -- Checked here too, not only by the API: a caller that skips the API still cannot mint money.
  IF NOT EXISTS (SELECT 1 FROM users WHERE id = p_operator_id AND role = 'operator') THEN
    RETURN QUERY SELECT 'operator_only', NULL::int, NULL::jsonb, NULL::float8, NULL::float8;
    RETURN;
  END IF;
  SELECT * INTO idem FROM idem_lookup(p_operator_id, p_idem_key, p_request_hash);
  IF idem.outcome <> 'new' THEN
    RETURN QUERY SELECT idem.outcome, idem.response_status, idem.response_body, NULL::float8, NULL::float8;
    RETURN;
  END IF;
  SELECT currency INTO account_currency FROM accounts WHERE id = p_account_id;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'account_not_found', NULL::int, NULL::jsonb, NULL::float8, NULL::float8;
    RETURN;
  END IF;
  IF account_currency <> p_currency THEN
    RETURN QUERY SELECT 'currency_mismatch', NULL::int, NULL::jsonb, NULL::float8, NULL::float8;
    RETURN;
  END IF;

  PERFORM set_config('lock_timeout', p_lock_timeout_ms || 'ms', true);
  t_asked := clock_timestamp();
  UPDATE accounts SET balance = balance + p_amount, updated_at = now() WHERE id = p_account_id
  RETURNING balance INTO balance_now;
  t_locked := clock_timestamp();
  INSERT INTO ledger_entries (account_id, amount, kind, operation_id) VALUES (p_account_id, p_amount, 'deposit', op);
  INSERT INTO deposits (operation_id, account_id, amount, currency, made_by)
  VALUES (op, p_account_id, p_amount, p_currency, p_operator_id);
  body := jsonb_build_object('id', op, 'accountId', p_account_id, 'amount', p_amount, 'currency', p_currency,
                             'balance', balance_now, 'madeBy', p_operator_id, 'createdAt', now());
  PERFORM idem_store(p_operator_id, p_idem_key, p_request_hash, 201, body);
  RETURN QUERY SELECT 'created', 201, body,
    extract(epoch FROM t_locked - t_asked)::float8, extract(epoch FROM clock_timestamp() - t_locked)::float8;
END $$;

-- ---- Contact details encrypted at rest ----------------------------------------------------------

-- AES-256-GCM envelopes made by the service (service/pii/): `pii1.<key id>.<iv>.<ciphertext+tag>`, the
-- key id stored with every value. Postgres never sees a key or a plain value. Values written before
-- this migration stay plain until `npm run pii -- rotate` encrypts them (the reader accepts both).
ALTER TABLE profiles RENAME COLUMN email TO email_enc;
ALTER TABLE profiles RENAME COLUMN phone TO phone_enc;

-- ---- Payouts held by the fraud rules ------------------------------------------------------------

-- A held payout is debited like any other, but its transfer waits in MANUAL_REVIEW, unpublished: the
-- relay claims only PENDING rows (outbox-claim.sql) so it waits until an operator releases it (back to
-- PENDING: the relay publishes it) or refuses it (FAILED and refunded). One row per held payout, with the rule that held it.
CREATE TABLE payout_holds (
  transfer_id uuid PRIMARY KEY REFERENCES bank_transfers (id),
  reason text NOT NULL CHECK (reason IN ('velocity_count', 'velocity_amount', 'amount_anomaly')),
  held_at timestamptz NOT NULL DEFAULT now(),
  decision text CHECK (decision IN ('released', 'refused')),
  decided_by text CHECK (length(decided_by) BETWEEN 1 AND 100),
  decided_at timestamptz,
  note text CHECK (length(note) <= 500),
  CHECK ((decision IS NULL) = (decided_at IS NULL) AND (decision IS NULL) = (decided_by IS NULL))
);
-- The review queue: open holds, oldest first.
CREATE INDEX payout_holds_open_idx ON payout_holds (held_at) WHERE decision IS NULL;

-- The payout of 0005 plus p_hold_reason: when not null, the transfer is created in MANUAL_REVIEW with
-- its hold row and no NOTIFY (nothing for the relay to do). Same lock, same single round trip: the
-- fraud rules were decided before the call (one Redis script), never inside the transaction.
DROP FUNCTION payout(uuid, uuid, bigint, text, text, text, bytea, int);
CREATE FUNCTION payout(p_user_id uuid, p_account_id uuid, p_amount bigint, p_currency text, p_destination text,
                       p_idem_key text, p_request_hash bytea, p_lock_timeout_ms int, p_hold_reason text DEFAULT NULL)
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
    body := error_body('insufficient_funds', 'the account balance is lower than the amount');
    PERFORM idem_store(p_user_id, p_idem_key, p_request_hash, 422, body);
    RETURN QUERY SELECT 'insufficient_funds', 422, body,
      extract(epoch FROM t_locked - t_asked)::float8, extract(epoch FROM clock_timestamp() - t_locked)::float8;
    RETURN;
  END IF;

  UPDATE accounts SET balance = balance - p_amount, updated_at = now() WHERE id = p_account_id;
  INSERT INTO bank_transfers (user_id, account_id, amount, currency, destination, status)
  VALUES (p_user_id, p_account_id, p_amount, p_currency, p_destination,
          CASE WHEN p_hold_reason IS NULL THEN 'PENDING' ELSE 'MANUAL_REVIEW' END::transfer_status)
  RETURNING * INTO t;
  INSERT INTO ledger_entries (account_id, amount, kind, transfer_id, operation_id)
  VALUES (p_account_id, -p_amount, 'payout', t.id, t.id);
  IF p_hold_reason IS NOT NULL THEN
    INSERT INTO payout_holds (transfer_id, reason) VALUES (t.id, p_hold_reason);
  END IF;
  body := transfer_json(t);
  PERFORM idem_store(p_user_id, p_idem_key, p_request_hash, 201, body);
  IF p_hold_reason IS NULL THEN
    PERFORM pg_notify('bank_transfers', t.id::text);
  END IF;
  RETURN QUERY SELECT CASE WHEN p_hold_reason IS NULL THEN 'created' ELSE 'held' END, 201, body,
    extract(epoch FROM t_locked - t_asked)::float8, extract(epoch FROM clock_timestamp() - t_locked)::float8;
END $$;

-- An operator lets a held payout go: PENDING again, and the relay publishes it (it was never
-- published). Returns 'released', 'not_held' (no open hold: unknown, or held by recon, not by the
-- fraud rules) or 'already_decided'.
-- Lock: the hold row, then the transfer row.
CREATE FUNCTION release_hold(p_transfer_id uuid, p_by text, p_note text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  h payout_holds;
BEGIN
  SELECT * INTO h FROM payout_holds WHERE transfer_id = p_transfer_id FOR UPDATE;
  IF NOT FOUND THEN RETURN 'not_held'; END IF;
  IF h.decision IS NOT NULL THEN RETURN 'already_decided'; END IF;
  UPDATE bank_transfers SET status = 'PENDING', published_at = NULL, updated_at = now()
   WHERE id = p_transfer_id AND status = 'MANUAL_REVIEW';
  IF NOT FOUND THEN RETURN 'not_held'; END IF;
  UPDATE payout_holds SET decision = 'released', decided_by = p_by, decided_at = now(), note = p_note
   WHERE transfer_id = p_transfer_id;
  PERFORM pg_notify('bank_transfers', p_transfer_id::text);
  RETURN 'released';
END $$;

-- An operator refuses a held payout: FAILED and refunded (fail_transfer), atomically with the decision.
-- Returns 'refused', 'not_held' or 'already_decided'. Lock: the hold row, the transfer, its account.
CREATE FUNCTION refuse_hold(p_transfer_id uuid, p_by text, p_note text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  h payout_holds;
  t_status transfer_status;
BEGIN
  SELECT * INTO h FROM payout_holds WHERE transfer_id = p_transfer_id FOR UPDATE;
  IF NOT FOUND THEN RETURN 'not_held'; END IF;
  IF h.decision IS NOT NULL THEN RETURN 'already_decided'; END IF;
  SELECT status INTO t_status FROM bank_transfers WHERE id = p_transfer_id FOR UPDATE;
  IF t_status <> 'MANUAL_REVIEW' OR NOT fail_transfer(p_transfer_id, 'fraud_refused') THEN
    RETURN 'not_held';
  END IF;
  UPDATE payout_holds SET decision = 'refused', decided_by = p_by, decided_at = now(), note = p_note
   WHERE transfer_id = p_transfer_id;
  RETURN 'refused';
END $$;
