-- A replayed answer is acknowledged only once the key it replays is durable (issue 17).
--
-- idem_lookup() answered a retry from the stored key with a plain read. With synchronous replication a
-- commit is visible to other sessions as soon as it is written locally, while it still waits for the
-- standby: a retry could then replay the 201 of a payout that the standby never got, and a failover
-- threw it away (pg-primary-isolated caught it). Reads also succeed on a demoted primary that HAProxy
-- still forwards to for a moment, which still holds such commits until pg_rewind removes them.
--
-- The stored key is now read FOR KEY SHARE: the row lock takes a transaction id and writes WAL, so the
-- retry's own commit waits for the synchronous standby like any write, and its flush covers the
-- original commit before it (WAL is flushed in order). On a read-only server the lock is refused, and
-- the retry gets 503 database_unavailable instead of an answer. Numbered 0012: 0010 and 0011 are taken
-- by a change in flight.

CREATE OR REPLACE FUNCTION idem_lookup(p_user_id uuid, p_key text, p_request_hash bytea,
                                       OUT outcome text, OUT response_status int, OUT response_body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
  k idempotency_keys;
BEGIN
  outcome := 'new';
  IF p_key IS NULL THEN
    RETURN;
  END IF;
  -- Held until this transaction ends, i.e. until the key row below is committed with its effect.
  IF NOT pg_try_advisory_xact_lock(hashtextextended(p_user_id::text || '/' || p_key, 0)) THEN
    outcome := 'in_flight';
    RETURN;
  END IF;
  SELECT * INTO k FROM idempotency_keys WHERE user_id = p_user_id AND key = p_key FOR KEY SHARE;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  IF k.expires_at <= now() THEN
    DELETE FROM idempotency_keys WHERE user_id = p_user_id AND key = p_key;
    RETURN;
  END IF;
  IF k.request_hash <> p_request_hash THEN
    outcome := 'key_reused';
    RETURN;
  END IF;
  outcome := 'replay';
  response_status := k.response_status;
  response_body := k.response_body;
END $$;
