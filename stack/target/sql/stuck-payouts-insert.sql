-- Payouts written behind the API's back (native:seed), debited and in the ledger, in one statement.
-- By default as the service would have left them had every worker died after taking them:
-- PROCESSING, published, untouched for an hour (so recon takes them). With $5, just committed:
-- PENDING and unpublished, for the relay to publish.
-- $1 account ids (text[]), $2 payouts per account, $3 amount, $4 currency, $5 fresh (boolean)
-- Returns the new payouts' ids, in id order.
-- Locks each account row it debits (UPDATE), for the statement's transaction.
WITH accts AS (SELECT a.id, a.user_id FROM accounts a WHERE a.id = ANY($1::uuid[])),
     t AS (
       INSERT INTO bank_transfers (user_id, account_id, amount, currency, destination, status, attempts,
                                   created_at, updated_at, published_at)
       SELECT accts.user_id, accts.id, $3, $4, 'IBAN-R',
              CASE WHEN $5 THEN 'PENDING' ELSE 'PROCESSING' END::transfer_status,
              CASE WHEN $5 THEN 0 ELSE 1 END,
              now() - CASE WHEN $5 THEN interval '0' ELSE interval '1 hour' END,
              now() - CASE WHEN $5 THEN interval '0' ELSE interval '1 hour' END,
              CASE WHEN $5 THEN NULL ELSE now() - interval '1 hour' END
         FROM accts, generate_series(1, $2)
       RETURNING id, account_id, amount),
     l AS (
       INSERT INTO ledger_entries (account_id, amount, kind, transfer_id, operation_id)
       SELECT account_id, -amount, 'payout', id, id FROM t),
     b AS (
       UPDATE accounts SET balance = balance - $3 * $2 WHERE id = ANY($1::uuid[]))
SELECT id FROM t ORDER BY id
