-- A transfer's status and its fraud hold, if any: the rule that held it and the decision recorded on it.
-- $1 transfer id. Returns: status, rule, decision, decided_by, decided_at, note (0 or 1 row; the hold
-- columns null when the fraud rules never held it). Lock: none.
SELECT t.status, h.reason AS rule, h.decision, h.decided_by, h.decided_at, h.note
  FROM bank_transfers t
  LEFT JOIN payout_holds h ON h.transfer_id = t.id
 WHERE t.id = $1
