-- Broken variant `no-row-lock` only: writes back a balance computed from an unlocked read (a lost update).
-- $1 account id, $2 the new balance. Returns: nothing. Lock: the row's update lock for this statement.
UPDATE accounts SET balance = $2, updated_at = now() WHERE id = $1
