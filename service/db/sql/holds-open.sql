-- Payouts held by the fraud rules and still waiting for an operator, oldest first (the review queue).
-- $1 limit. Returns: transfer_id, reason, held_at, user_id, account_id, amount, currency, destination.
-- Lock: none. Uses payout_holds_open_idx.
SELECT h.transfer_id, h.reason, h.held_at, t.user_id, t.account_id, t.amount, t.currency, t.destination
  FROM payout_holds h
  JOIN bank_transfers t ON t.id = h.transfer_id
 WHERE h.decision IS NULL
 ORDER BY h.held_at
 LIMIT $1
