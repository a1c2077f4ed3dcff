-- The baselines' own tables, in the pgbench database (never the service's): 64 accounts, each with far
-- more money than a run can spend, and the rows a debit appends. Shaped like the service's accounts and
-- bank_transfers: a non-negative balance, and a foreign key the insert checks (a FOR KEY SHARE lock).
CREATE TABLE IF NOT EXISTS bench_accounts (
  id int PRIMARY KEY,
  balance bigint NOT NULL CHECK (balance >= 0)
);
CREATE TABLE IF NOT EXISTS bench_transfers (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id int NOT NULL REFERENCES bench_accounts (id),
  amount bigint NOT NULL CHECK (amount > 0),
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO bench_accounts (id, balance)
SELECT g, 1000000000000000 FROM generate_series(1, 64) g
ON CONFLICT (id) DO NOTHING;
