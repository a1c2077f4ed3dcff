-- A transfer's status, the operator decision recorded for it, if any, and the rule of the fraud hold
-- still open on it, if any (such a payout is not recon's to review). $1 transfer id.
-- Returns: status, decision, actor, reason, decided_at, fraud_rule (0 or 1 row). Lock: none.
SELECT t.status, r.decision, r.actor, r.reason, r.created_at AS decided_at, h.reason AS fraud_rule
  FROM bank_transfers t
  LEFT JOIN transfer_reviews r ON r.transfer_id = t.id
  LEFT JOIN payout_holds h ON h.transfer_id = t.id AND h.decision IS NULL
 WHERE t.id = $1
