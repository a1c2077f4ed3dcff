-- How many stored emails and phones each key sealed; key_id null counts plain values written before
-- migration 0008. $1 the sealed envelope's pattern (pii-cipher.ts SEALED_PATTERN).
-- Returns: field, key_id, n. Lock: none (a full scan: an operator's command).
SELECT f.field,
       CASE WHEN f.value ~ $1 THEN split_part(f.value, '.', 2) END AS key_id,
       count(*)::int AS n
  FROM profiles p
 CROSS JOIN LATERAL (VALUES ('email', p.email_enc), ('phone', p.phone_enc)) AS f(field, value)
 WHERE f.value IS NOT NULL
 GROUP BY 1, 2
 ORDER BY 1, 2
