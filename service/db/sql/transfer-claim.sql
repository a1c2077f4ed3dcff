-- A worker takes a transfer in one statement (no read before it): PROCESSING, one more attempt
-- (transfer_claim(), migration 0010). $1 transfer id, $2 lock timeout (ms).
-- Returns: every column of bank_transfers plus `claimed`: true, the row now PROCESSING; false, the row
-- as it was, untouched (already terminal or in manual review); no row when there is no such transfer.
-- Lock: the row's update lock for this statement only, waited for at most $2 ms (then 55P03).
SELECT c.claimed, (c.transfer).*
  FROM transfer_claim($1, $2) AS c
