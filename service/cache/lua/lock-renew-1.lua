-- Extends a lock only if the caller still holds it, so a loader that is slow (not dead) keeps the
-- other processes waiting for its value instead of loading themselves.
-- Input: KEYS[1] the lock
--        ARGV[1] the caller's token, ARGV[2] the new lifetime in ms
-- Output: 1 extended, 0 not held by this token (a purge took it, or it expired)
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
