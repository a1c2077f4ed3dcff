-- Creates a user. $1 name, $2 sha256 of the API key, $3 role ('user' or 'operator'). Returns: id.
-- Lock: none.
INSERT INTO users (name, api_key_hash, role) VALUES ($1, $2, $3) RETURNING id
