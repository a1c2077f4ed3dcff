-- Broken variant `unordered-transfer-locks` only: locks one account row; the caller takes the source,
-- then the destination, in no fixed order (the correct transfer_funds() locks both in id order).
-- $1 account id. Returns: balance. Lock: FOR UPDATE on that account row, until COMMIT.
SELECT balance FROM accounts WHERE id = $1 FOR UPDATE
