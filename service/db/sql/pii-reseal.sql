-- Writes re-sealed contact details for a batch of profiles, each only if the row still holds the values
-- that were read (a profile update in between wins and is left alone), and queues the purge of those
-- users' cache entries (the API's sync pass applies it), so no entry sealed with a retired key remains.
-- $1 uuid[] user ids, $2 text[] emails read, $3 text[] emails re-sealed, $4 text[] phones read,
-- $5 text[] phones re-sealed (arrays in the same order; nulls where a field is empty).
-- Returns: resealed (rows written). Lock: each updated profile row until COMMIT.
WITH input AS (
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[])
           AS i(user_id, email_read, email_new, phone_read, phone_new)
), updated AS (
  UPDATE profiles p
     SET email_enc = i.email_new, phone_enc = i.phone_new
    FROM input i
   WHERE p.user_id = i.user_id
     AND p.email_enc IS NOT DISTINCT FROM i.email_read
     AND p.phone_enc IS NOT DISTINCT FROM i.phone_read
  RETURNING p.user_id
), purge AS (
  INSERT INTO cache_invalidations (user_id, caches)
  SELECT user_id, ARRAY['profile', 'dashboard'] FROM updated
)
SELECT count(*)::int AS resealed FROM updated
