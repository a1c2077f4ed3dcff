-- Writes a loaded entry, but only while the loader still holds the entry's lock, then frees the lock.
-- Every purge deletes the lock along with the entry, so a loader whose Postgres read may predate a
-- committed update (or whose lock expired or was evicted) can never put that older value back.
-- Input: KEYS[1] the entry, KEYS[2] its lock
--        ARGV[1] the loader's lock token, ARGV[2] the value, ARGV[3] TTL in ms
-- Output: 1 written, 0 refused (the lock is gone or someone else's)
if redis.call('GET', KEYS[2]) ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('DEL', KEYS[2])
return 1
