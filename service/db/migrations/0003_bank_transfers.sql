-- The transactional outbox: a payout's intent, written in the same transaction as its debit.
-- The relay publishes unpublished rows to BullMQ; the worker moves them through the status machine:
--   PENDING -> PROCESSING -> SETTLED | FAILED | MANUAL_REVIEW

CREATE TYPE transfer_status AS ENUM ('PENDING', 'PROCESSING', 'SETTLED', 'FAILED', 'MANUAL_REVIEW');

CREATE TABLE bank_transfers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id),
  account_id uuid NOT NULL REFERENCES accounts (id),
  amount bigint NOT NULL CHECK (amount > 0),
  currency char(3) NOT NULL,
  destination text NOT NULL,
  status transfer_status NOT NULL DEFAULT 'PENDING',
  -- Bank calls made by workers, and times the recon janitor re-sent it.
  attempts int NOT NULL DEFAULT 0,
  recon_attempts int NOT NULL DEFAULT 0,
  last_error text,
  bank_charge_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Moves on every status change or recon touch; "stuck" means updated_at is old.
  updated_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  completed_at timestamptz
);

-- The relay's work list: only unpublished rows, so the index stays tiny however big the table grows.
CREATE INDEX bank_transfers_unpublished_idx ON bank_transfers (created_at) WHERE published_at IS NULL;
-- The recon janitor's work list: only open rows, oldest first.
CREATE INDEX bank_transfers_open_idx ON bank_transfers (updated_at) WHERE status IN ('PENDING', 'PROCESSING');
-- "My payouts" and account history.
CREATE INDEX bank_transfers_account_id_created_at_idx ON bank_transfers (account_id, created_at);
