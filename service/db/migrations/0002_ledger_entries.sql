-- Every balance change has exactly one ledger entry (two for an internal transfer, one per leg),
-- so sum(amount) per account always equals its balance.

CREATE TABLE ledger_entries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id),
  -- Signed: credits are positive, debits negative.
  amount bigint NOT NULL CHECK (amount <> 0),
  kind text NOT NULL CHECK (kind IN ('deposit', 'payout', 'payout_reversal', 'transfer_out', 'transfer_in')),
  -- The bank transfer a payout or its reversal belongs to.
  transfer_id uuid,
  -- Groups the legs of one operation (both legs of an internal transfer share it).
  operation_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Index strategy:
-- * (account_id, id) composite: an account statement is `WHERE account_id = $1 ORDER BY id DESC LIMIT n`,
--   one backward range scan with no sort; id (identity) orders entries without timestamp ties.
-- * INCLUDE (amount, kind) makes it covering for the balance audit `sum(amount) WHERE account_id = $1`
--   and for statements that show only amounts and kinds: index-only scans, no heap visits.
-- * No index on created_at: time-range reports go through account_id first; a BRIN index would be the
--   choice if whole-table time scans ever matter (rows are appended in time order).
CREATE INDEX ledger_entries_account_id_id_idx ON ledger_entries (account_id, id) INCLUDE (amount, kind);

-- A payout is debited once and reversed at most once, whatever retries or races happen.
CREATE UNIQUE INDEX ledger_entries_one_payout_idx ON ledger_entries (transfer_id) WHERE kind = 'payout';
CREATE UNIQUE INDEX ledger_entries_one_reversal_idx ON ledger_entries (transfer_id) WHERE kind = 'payout_reversal';
