-- The transfer will not be paid: FAILED and refunded by a reversal entry, atomically (fail_transfer()).
-- $1 transfer id, $2 reason. Returns: failed (false when it was already terminal: nothing refunded twice).
-- Lock: the transfer row, then its account row.
SELECT fail_transfer($1, $2) AS failed
