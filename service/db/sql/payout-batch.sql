-- Debits one account for a batch of payouts (one or more, decided in item order) in one statement: each
-- payout's idempotency key, outbox row (or fraud hold) and ledger entry, one balance update, one commit.
-- $1 user_id, $2 account_id, $3 amounts bigint[], $4 currencies text[], $5 destinations text[],
-- $6 idempotency keys text[], $7 request hashes bytea[], $8 hold reasons text[] (null: not held),
-- $9 lock timeout (ms), $10 deadlines timestamptz[] (null: none; past it a payout is never written).
-- Returns: one row per payout, in item order: outcome (created, held, insufficient_funds, replay,
-- deadline_exceeded, ...), response_status, response_body, lock_wait_s, lock_hold_s (see
-- 0009_payout_batches.sql and 0011_payout_deadlines.sql).
-- Lock: FOR UPDATE on the account row, under lock_timeout (ending by the latest deadline); released at
-- the commit.
SELECT outcome, response_status, response_body, lock_wait_s, lock_hold_s
  FROM payout_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
 ORDER BY item
