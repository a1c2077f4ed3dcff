-- An operator refuses a held payout: FAILED and refunded by a reversal entry (refuse_hold(), 0008).
-- $1 transfer id, $2 who decided, $3 why (the operator's reason, kept in payout_holds.note).
-- Returns: outcome (refused, not_held, already_decided). Lock: the hold row, the transfer, its account.
SELECT refuse_hold($1, $2, $3) AS outcome
