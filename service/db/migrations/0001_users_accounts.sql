-- Users and their accounts. Money is integer minor units (cents) in bigint: no floating point anywhere.

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  -- sha256 of the bearer API key: the key is shown once at creation and never stored.
  api_key_hash bytea NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE accounts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id),
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  -- The database itself refuses a negative balance: the last line of defence behind the row lock
  -- (a violation is SQLSTATE 23514, which the service maps to "insufficient funds").
  balance bigint NOT NULL DEFAULT 0 CONSTRAINT balance_non_negative CHECK (balance >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- "List my accounts" and the ownership check both go through user_id.
CREATE INDEX accounts_user_id_idx ON accounts (user_id);
