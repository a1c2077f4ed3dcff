-- Every fraud hold (native:holds): the rule that held the payout and the decision taken on it.
-- No parameters.
-- Returns: transfer_id, reason, decision (released, refused or null).
-- Locks nothing (a plain read).
SELECT transfer_id, reason, decision FROM payout_holds
