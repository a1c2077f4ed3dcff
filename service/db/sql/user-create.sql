-- Creates a user. $1 name, $2 sha256 of the API key. Returns: id. Lock: none.
INSERT INTO users (name, api_key_hash) VALUES ($1, $2) RETURNING id
