-- Applies an operator's decision (settle | refund) to a transfer in MANUAL_REVIEW, at most once
-- (review_transfer() in 0007_transfer_reviews.sql). $1 transfer id, $2 decision, $3 actor, $4 reason,
-- $5 bank charge id (settle) or null. Returns: outcome, status, decision, actor, reason, decided_at.
-- Lock: the transfer row, then (refund) its account row.
SELECT * FROM review_transfer($1, $2, $3, $4, $5)
