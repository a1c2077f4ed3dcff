-- Sliding-window rate limit, atomically: admits a request when fewer than `limit` requests were admitted
-- in the last `window` ms, and records it. One sorted set per route class and user; scores are
-- admission times, members unique per request.
-- Input: KEYS[1] the window's sorted set
--        ARGV[1] window in ms, ARGV[2] limit, ARGV[3] a member unique to this request,
--        ARGV[4] now in ms (optional, for tests; by default the Redis server's own clock, so API
--        processes on different hosts never disagree about time)
-- Output: { allowed (1 or 0), remaining after this request, retry after ms (0 when allowed),
--           ms until the oldest admission leaves the window }
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local now = tonumber(ARGV[4])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end
-- An admission at time t counts while now < t + window.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window))
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return { 1, limit - count - 1, 0, math.ceil(tonumber(oldest[2]) + window - now) }
end
-- Room comes back when the admission that brings the count under the limit leaves the window.
local freeing = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
local retry = math.max(1, math.ceil(tonumber(freeing[2]) + window - now))
return { 0, 0, retry, retry }
