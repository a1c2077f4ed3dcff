-- SABOTAGE no-purge-while-down only: profile-update.sql without its invalidation outbox row, so a purge
-- that cannot reach Redis is simply lost. $1 user id, $2 patch (jsonb), $3 ignored (text[]).
-- Returns: the updated profile's columns plus invalidation_id (always null). Lock: the profile row.
UPDATE profiles
   SET display_name = CASE WHEN $2::jsonb ? 'displayName' THEN $2::jsonb ->> 'displayName' ELSE display_name END,
       bio = CASE WHEN $2::jsonb ? 'bio' THEN $2::jsonb ->> 'bio' ELSE bio END,
       locale = CASE WHEN $2::jsonb ? 'locale' THEN $2::jsonb ->> 'locale' ELSE locale END,
       timezone = CASE WHEN $2::jsonb ? 'timezone' THEN $2::jsonb ->> 'timezone' ELSE timezone END,
       email = CASE WHEN $2::jsonb ? 'email' THEN $2::jsonb ->> 'email' ELSE email END,
       phone = CASE WHEN $2::jsonb ? 'phone' THEN $2::jsonb ->> 'phone' ELSE phone END,
       dashboard_layout = CASE WHEN $2::jsonb ? 'dashboardLayout' THEN $2::jsonb -> 'dashboardLayout'
                               ELSE dashboard_layout END,
       version = version + 1,
       updated_at = now()
 WHERE user_id = $1 AND $3::text[] IS NOT NULL
RETURNING user_id, display_name, bio, locale, timezone, email, phone, dashboard_layout, version, updated_at,
          NULL::bigint AS invalidation_id
