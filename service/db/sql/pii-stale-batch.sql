-- Profiles whose email or phone is not sealed with the current key (an older key, or plain text written
-- before migration 0008), in user_id order after a cursor: the key rotation's next batch.
-- $1 current key id, $2 last user id of the previous batch (null: from the start), $3 batch size.
-- Returns: user_id, email_enc, phone_enc. Lock: none (the update re-checks each row's values).
SELECT user_id, email_enc, phone_enc
  FROM profiles
 WHERE ($2::uuid IS NULL OR user_id > $2::uuid)
   AND ((email_enc IS NOT NULL AND NOT starts_with(email_enc, 'pii1.' || $1 || '.'))
     OR (phone_enc IS NOT NULL AND NOT starts_with(phone_enc, 'pii1.' || $1 || '.')))
 ORDER BY user_id
 LIMIT $3
