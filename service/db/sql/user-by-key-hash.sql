-- The user an API key belongs to. $1 sha256 of the key. Returns: id, name (0 or 1 row). Lock: none.
SELECT id, name FROM users WHERE api_key_hash = $1
