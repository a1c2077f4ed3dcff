-- Stores the response of a keyed request. $1 user_id, $2 key, $3 request hash, $4 status, $5 body.
-- Returns: nothing. Lock: none beyond the insert.
SELECT idem_store($1, $2, $3, $4, $5)
