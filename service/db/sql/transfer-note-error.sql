-- Records why the last attempt failed (it will be retried). $1 transfer id, $2 error text.
-- Returns: nothing. Lock: the row's update lock for this statement only.
UPDATE bank_transfers SET last_error = $2, updated_at = now() WHERE id = $1 AND status = 'PROCESSING'
