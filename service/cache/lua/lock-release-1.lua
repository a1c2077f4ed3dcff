-- Releases a lock only if the caller still holds it (compare-and-delete), so a loader whose lock
-- expired never frees the lock a later loader took.
-- Input: KEYS[1] the lock
--        ARGV[1] the caller's token
-- Output: 1 released, 0 not held by this token
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
