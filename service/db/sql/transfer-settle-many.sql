-- The bank charged these transfers: SETTLED, each with its own charge id (transfer_settle_many(),
-- migration 0013). $1 transfer ids (uuid[]), $2 the bank's charge ids (text[], in the same order),
-- $3 lock timeout (ms).
-- Returns: id of each transfer settled (none for one already terminal or missing).
-- Lock: the rows' update locks in id order, for this statement only, each waited for at most $3 ms
-- (then 55P03 and nothing changed).
SELECT s.id
  FROM transfer_settle_many($1::uuid[], $2::text[], $3) AS s(id)
