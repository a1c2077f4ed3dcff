-- An operator releases a held payout: PENDING again, and the relay publishes it (release_hold(), 0008).
-- $1 transfer id, $2 who decided, $3 why (the operator's reason, kept in payout_holds.note).
-- Returns: outcome (released, not_held, already_decided). Lock: the hold row, then the transfer row.
SELECT release_hold($1, $2, $3) AS outcome
