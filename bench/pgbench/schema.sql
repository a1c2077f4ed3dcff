-- The baselines' own tables, in the pgbench database (never the service's): 64 accounts, each with far
-- more money than a run can spend, and the rows a debit appends. Shaped like the service's accounts and
-- bank_transfers: a non-negative balance, and a foreign key the insert checks (a FOR KEY SHARE lock).
-- `version` is for the optimistic lock strategy (lock-optimistic.sql); nothing else reads it.
CREATE TABLE IF NOT EXISTS bench_accounts (
  id int PRIMARY KEY,
  balance bigint NOT NULL CHECK (balance >= 0),
  version int NOT NULL DEFAULT 0
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

-- The optimistic strategy's write: debit only if the version read earlier is still current, else fail
-- with serialization_failure (40001), which pgbench --max-tries retries from the script's start (a new
-- read of balance and version), as a client of an optimistic scheme would.
CREATE OR REPLACE FUNCTION bench_debit_if_version(p_id int, p_version int) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE bench_accounts SET balance = balance - 1, version = version + 1
   WHERE id = p_id AND version = p_version;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'account % changed since version %', p_id, p_version USING ERRCODE = 'serialization_failure';
  END IF;
  INSERT INTO bench_transfers (account_id, amount) VALUES (p_id, 1);
END $$;
