-- How many profiles hold an email or phone not sealed with the current key: the rotation's total.
-- $1 current key id, $2 the sealed envelope's pattern (pii-cipher.ts SEALED_PATTERN). Returns: n. Lock: none.
SELECT count(*)::int AS n
  FROM profiles
 WHERE (email_enc IS NOT NULL AND NOT (email_enc ~ $2 AND split_part(email_enc, '.', 2) = $1))
    OR (phone_enc IS NOT NULL AND NOT (phone_enc ~ $2 AND split_part(phone_enc, '.', 2) = $1))
