-- The cacheable part of a user's dashboard: layout, name, contact details (sealed; opened and masked by
-- the API) and history metadata per account (opened, payouts so far, last payout). Never balances: those
-- are live. $1 user id.
-- Returns: user_id, version, display_name, email, phone, layout, accounts (jsonb array) (0 or 1 row).
-- Lock: none. Payout counts use bank_transfers_account_id_created_at_idx.
SELECT p.user_id, p.version, p.display_name, p.email_enc AS email, p.phone_enc AS phone,
       p.dashboard_layout AS layout,
       coalesce((SELECT jsonb_agg(jsonb_build_object(
                          'accountId', a.id,
                          'currency', a.currency,
                          'openedAt', a.created_at,
                          'payouts', (SELECT count(*) FROM bank_transfers t WHERE t.account_id = a.id),
                          'lastPayoutAt', (SELECT max(t.created_at) FROM bank_transfers t WHERE t.account_id = a.id))
                        ORDER BY a.created_at, a.id)
                   FROM accounts a
                  WHERE a.user_id = p.user_id), '[]'::jsonb) AS accounts
  FROM profiles p
 WHERE p.user_id = $1
