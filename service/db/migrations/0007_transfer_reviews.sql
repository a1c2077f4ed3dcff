-- Operator decisions on payouts parked in MANUAL_REVIEW (`npm run ops -- review settle|refund`): who
-- decided what, and why, at most once per transfer. A refund's reversal ledger entry carries the
-- decision's id as its operation_id, so the ledger leads from every operator refund to its who and why.

CREATE TABLE transfer_reviews (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  transfer_id uuid NOT NULL UNIQUE REFERENCES bank_transfers (id),
  decision text NOT NULL CHECK (decision IN ('settle', 'refund')),
  actor text NOT NULL CHECK (length(actor) BETWEEN 1 AND 100),
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  -- settle: the bank's charge the operator settled against (the bank was asked first).
  bank_charge_id text,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Applies an operator's decision to a transfer in MANUAL_REVIEW, once. Outcomes:
--   settled / refunded  done now (refunded: FAILED, balance credited, reversal entry linked to the review)
--   already             this same decision was recorded before: nothing done (a retry of the command)
--   conflict            another decision was recorded before: nothing done
--   not_in_review       the transfer is not in MANUAL_REVIEW and no decision was recorded: nothing done
--   not_found           no such transfer
-- Lock: the transfer row, then (refund) its account row, as fail_transfer() takes them.
CREATE FUNCTION review_transfer(p_id uuid, p_decision text, p_actor text, p_reason text, p_charge_id text)
RETURNS TABLE (outcome text, status transfer_status, decision text, actor text, reason text, decided_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
  t bank_transfers;
  r transfer_reviews;
BEGIN
  SELECT * INTO t FROM bank_transfers WHERE id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::transfer_status, NULL::text, NULL::text, NULL::text, NULL::timestamptz;
    RETURN;
  END IF;
  SELECT * INTO r FROM transfer_reviews WHERE transfer_id = p_id;
  IF FOUND THEN
    RETURN QUERY SELECT CASE WHEN r.decision = p_decision THEN 'already' ELSE 'conflict' END,
      t.status, r.decision, r.actor, r.reason, r.created_at;
    RETURN;
  END IF;
  IF t.status <> 'MANUAL_REVIEW' THEN
    RETURN QUERY SELECT 'not_in_review', t.status, NULL::text, NULL::text, NULL::text, NULL::timestamptz;
    RETURN;
  END IF;
  INSERT INTO transfer_reviews (transfer_id, decision, actor, reason, bank_charge_id)
  VALUES (p_id, p_decision, p_actor, p_reason, p_charge_id)
  RETURNING * INTO r;
  IF p_decision = 'settle' THEN
    UPDATE bank_transfers
       SET status = 'SETTLED', bank_charge_id = p_charge_id, last_error = NULL, updated_at = now(), completed_at = now()
     WHERE id = p_id
    RETURNING * INTO t;
  ELSE
    UPDATE bank_transfers
       SET status = 'FAILED', last_error = 'refunded in review', updated_at = now(), completed_at = now()
     WHERE id = p_id
    RETURNING * INTO t;
    UPDATE accounts SET balance = balance + t.amount, updated_at = now() WHERE id = t.account_id;
    INSERT INTO ledger_entries (account_id, amount, kind, transfer_id, operation_id)
    VALUES (t.account_id, t.amount, 'payout_reversal', t.id, r.id);
  END IF;
  RETURN QUERY SELECT CASE WHEN p_decision = 'settle' THEN 'settled' ELSE 'refunded' END,
    t.status, r.decision, r.actor, r.reason, r.created_at;
END $$;
