-- Records that recon re-sent these transfers: one more recon attempt, and the stuck clock restarts.
-- Only rows still open. $1 uuid[] of transfer ids. Returns: nothing.
-- Lock: the rows' update locks for this statement only.
UPDATE bank_transfers
   SET recon_attempts = recon_attempts + 1, updated_at = now(), published_at = coalesce(published_at, now())
 WHERE id = ANY($1) AND status IN ('PENDING', 'PROCESSING')
