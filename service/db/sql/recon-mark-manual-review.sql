-- Gives up on automatic recovery: a human decides (the money stays debited, nothing is refunded;
-- `npm run ops -- review ...`). Only rows still open: a worker may have closed one since recon claimed it.
-- $1 uuid[] of transfer ids, $2 reason. Returns: nothing.
-- Lock: the rows' update locks in id order for this statement (as every statement locking many
-- transfers: see outbox-mark-published.sql).
UPDATE bank_transfers t
   SET status = 'MANUAL_REVIEW', last_error = $2, updated_at = now()
  FROM (SELECT id FROM bank_transfers
         WHERE id = ANY($1) AND status IN ('PENDING', 'PROCESSING')
         ORDER BY id FOR UPDATE) AS locked
 WHERE t.id = locked.id
