-- Records that recon re-sent these transfers: one more recon attempt, and the stuck clock restarts.
-- Only rows still open. $1 uuid[] of transfer ids. Returns: nothing.
-- Lock: the rows' update locks in id order for this statement only (as every statement locking many
-- transfers: see outbox-mark-published.sql).
UPDATE bank_transfers t
   SET recon_attempts = t.recon_attempts + 1, updated_at = now(), published_at = coalesce(t.published_at, now())
  FROM (SELECT id FROM bank_transfers
         WHERE id = ANY($1) AND status IN ('PENDING', 'PROCESSING')
         ORDER BY id FOR UPDATE) AS locked
 WHERE t.id = locked.id
