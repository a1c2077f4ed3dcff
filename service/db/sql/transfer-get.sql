-- One bank transfer (payout) with its current status. $1 transfer id.
-- Returns: every column of bank_transfers (0 or 1 row). Lock: none.
SELECT * FROM bank_transfers WHERE id = $1
