-- One step of a cache miss, atomically: the entry if it is there now, else the fill lock if it is free.
-- Checking and locking in one script closes the gap where another loader fills the entry (and frees
-- the lock) between a GET and a SET NX, which would start a second load of a value already cached.
-- Input: KEYS[1] the entry, KEYS[2] its lock
--        ARGV[1] the caller's lock token, ARGV[2] the lock's lifetime in ms
-- Output: { 'hit', value } | { 'locked' } (the caller holds the lock: load and fill) |
--         { 'wait' } (another loader holds it)
local value = redis.call('GET', KEYS[1])
if value then
  return { 'hit', value }
end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return { 'locked' }
end
return { 'wait' }
