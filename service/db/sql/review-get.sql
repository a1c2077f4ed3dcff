-- A transfer's status and the operator decision recorded for it, if any. $1 transfer id.
-- Returns: status, decision, actor, reason, decided_at (0 or 1 row). Lock: none.
SELECT t.status, r.decision, r.actor, r.reason, r.created_at AS decided_at
  FROM bank_transfers t
  LEFT JOIN transfer_reviews r ON r.transfer_id = t.id
 WHERE t.id = $1
