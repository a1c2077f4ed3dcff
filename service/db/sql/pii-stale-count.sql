-- How many profiles hold an email or phone not sealed with the current key: the rotation's total.
-- $1 current key id. Returns: n. Lock: none.
SELECT count(*)::int AS n
  FROM profiles
 WHERE (email_enc IS NOT NULL AND NOT starts_with(email_enc, 'pii1.' || $1 || '.'))
    OR (phone_enc IS NOT NULL AND NOT starts_with(phone_enc, 'pii1.' || $1 || '.'))
