-- A worker takes many transfers in one statement (transfer_claim_many(), migration 0013): for each, what
-- transfer-claim.sql answers for it alone. $1 transfer ids (uuid[]), $2 lock timeout (ms).
-- Returns: per existing id, every column of bank_transfers plus `claimed` (true: the row now PROCESSING;
-- false: the row as it was, terminal or in manual review); no row for an id with no transfer.
-- Lock: the claimable rows' update locks in id order, for this statement only, each waited for at most
-- $2 ms (then 55P03 and nothing changed).
SELECT c.claimed, (c.transfer).*
  FROM transfer_claim_many($1::uuid[], $2) AS c
