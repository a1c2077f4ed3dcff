-- The `profiles` read of the reference stack's target description: profile versions (+1 per update).
-- $1 user ids (text[])
-- Returns one row per profile: userId, version.
-- Locks nothing (a plain read).
SELECT user_id AS "userId", version FROM profiles WHERE user_id = ANY($1::uuid[])
