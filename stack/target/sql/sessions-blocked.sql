-- Sessions waiting on a lock held by a transaction left idle mid-way (`idle in transaction`: its client
-- stopped, or off on a network call while holding the lock) — native:postgres, for relay-pause.
-- No parameters.
-- Returns one row: blocked (how many), who (their application names).
-- Locks nothing (reads pg_stat_activity).
SELECT count(*)::int AS blocked, coalesce(array_agg(w.application_name), '{}') AS who
  FROM pg_stat_activity w
 WHERE w.wait_event_type = 'Lock'
   AND EXISTS (SELECT FROM pg_stat_activity h
                WHERE h.pid = ANY (pg_blocking_pids(w.pid)) AND h.state LIKE 'idle in transaction%')
