-- Sets the currency of payouts (native:seed): poison-job's repair of the rows it wrote with one the
-- bank refuses.
-- $1 payout ids (text[]), $2 currency
-- Returns nothing. Locks those payout rows (UPDATE).
UPDATE bank_transfers SET currency = $2 WHERE id = ANY($1::uuid[])
