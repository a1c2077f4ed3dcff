-- The user an API key belongs to, with its role ('user' or 'operator'): authentication and the operator
-- check in one round trip. $1 sha256 of the key. Returns: id, name, role (0 or 1 row). Lock: none.
SELECT id, name, role FROM users WHERE api_key_hash = $1
