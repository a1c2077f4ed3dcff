-- Profiles whose email or phone is not sealed with the current key (an older key, or plain text written
-- before migration 0008), in user_id order after a cursor: the key rotation's next batch.
-- $1 current key id, $2 last user id of the previous batch (null: from the start), $3 batch size,
-- $4 the sealed envelope's pattern (pii-cipher.ts SEALED_PATTERN).
-- Returns: user_id, email_enc, phone_enc. Lock: none (the update re-checks each row's values).
SELECT user_id, email_enc, phone_enc
  FROM profiles
 WHERE ($2::uuid IS NULL OR user_id > $2::uuid)
   AND ((email_enc IS NOT NULL AND NOT (email_enc ~ $4 AND split_part(email_enc, '.', 2) = $1))
     OR (phone_enc IS NOT NULL AND NOT (phone_enc ~ $4 AND split_part(phone_enc, '.', 2) = $1)))
 ORDER BY user_id
 LIMIT $3
