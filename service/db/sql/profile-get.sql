-- One user's profile, as the cache stores it: email and phone sealed (AES-256-GCM envelopes). $1 user id.
-- Returns: user_id, display_name, bio, locale, timezone, email, phone (sealed), dashboard_layout, version,
-- updated_at (0 or 1 row). Lock: none (plain MVCC read).
SELECT user_id, display_name, bio, locale, timezone, email_enc AS email, phone_enc AS phone, dashboard_layout,
       version, updated_at
  FROM profiles
 WHERE user_id = $1
