-- Applies a partial profile update and records the cache entries it invalidates in the outbox, in one
-- statement (one transaction): a committed update always leaves a row in cache_invalidations.
-- $1 user id, $2 patch (jsonb, camelCase keys; a key present sets the field, JSON null clears an optional
-- one; email and phone already sealed by the service), $3 caches to invalidate (text[]).
-- Returns: the updated profile's columns (email, phone sealed) plus invalidation_id (0 or 1 row).
-- Lock: the profile row (FOR UPDATE by the UPDATE) until COMMIT, so versions follow commit order.
WITH p AS (
  UPDATE profiles
     SET display_name = CASE WHEN $2::jsonb ? 'displayName' THEN $2::jsonb ->> 'displayName' ELSE display_name END,
         bio = CASE WHEN $2::jsonb ? 'bio' THEN $2::jsonb ->> 'bio' ELSE bio END,
         locale = CASE WHEN $2::jsonb ? 'locale' THEN $2::jsonb ->> 'locale' ELSE locale END,
         timezone = CASE WHEN $2::jsonb ? 'timezone' THEN $2::jsonb ->> 'timezone' ELSE timezone END,
         email_enc = CASE WHEN $2::jsonb ? 'email' THEN $2::jsonb ->> 'email' ELSE email_enc END,
         phone_enc = CASE WHEN $2::jsonb ? 'phone' THEN $2::jsonb ->> 'phone' ELSE phone_enc END,
         dashboard_layout = CASE WHEN $2::jsonb ? 'dashboardLayout' THEN $2::jsonb -> 'dashboardLayout'
                                 ELSE dashboard_layout END,
         version = version + 1,
         updated_at = now()
   WHERE user_id = $1
  RETURNING *
), i AS (
  INSERT INTO cache_invalidations (user_id, caches)
  SELECT user_id, $3::text[] FROM p
  RETURNING id
)
SELECT p.user_id, p.display_name, p.bio, p.locale, p.timezone, p.email_enc AS email, p.phone_enc AS phone,
       p.dashboard_layout,
       p.version, p.updated_at, (SELECT id FROM i) AS invalidation_id
  FROM p
