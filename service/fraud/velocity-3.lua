-- The fraud rules for one payout, atomically, in one round trip (judge() in rules.ts is the same
-- decision): hold it when the user's admitted payouts in the window would exceed the count or the sum,
-- or when its amount is above `factor` times the median of the user's recent payouts. An admitted payout
-- is recorded in the window, its sum and the history; a held one is not (it moves no money until
-- released). The sum is kept beside the window, so a check costs the same whatever the window holds.
-- Input: KEYS[1] the window (sorted set; member "<amount>:<unique id>", score the admission time in ms)
--        KEYS[2] the window's sum (integer string)
--        KEYS[3] the recent admitted amounts (list, newest first)
--        ARGV[1] window in ms, ARGV[2] max payouts in the window, ARGV[3] max sum in the window,
--        ARGV[4] this payout's amount, ARGV[5] its member "<amount>:<unique id>",
--        ARGV[6] anomaly factor (0: off), ARGV[7] samples the anomaly rule needs,
--        ARGV[8] history length, ARGV[9] history TTL in ms,
--        ARGV[10] now in ms (optional, for tests; by default the Redis server's clock, so API processes
--        never disagree about time)
-- Output: { admitted (1 or 0), hold reason ('' when admitted: velocity_count, velocity_amount,
--           amount_anomaly), payouts in the window before this one, their sum (string) }
local window = tonumber(ARGV[1])
local maxCount = tonumber(ARGV[2])
local maxSum = tonumber(ARGV[3])
local amount = tonumber(ARGV[4])
local factor = tonumber(ARGV[6])
local minSamples = tonumber(ARGV[7])
local now = tonumber(ARGV[10])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end
local function amountOf(member) return tonumber(string.match(member, '^(%d+):')) end

-- An admission at time t counts while now < t + window: what left the window leaves the sum.
local sum = tonumber(redis.call('GET', KEYS[2]))
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - window)
if #expired > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
end
local count = redis.call('ZCARD', KEYS[1])
if count == 0 then
  sum = 0
elseif not sum then
  -- The sum was evicted (allkeys-lru) but not the window: count it again, once.
  sum = 0
  for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do sum = sum + amountOf(m) end
else
  for _, m in ipairs(expired) do sum = sum - amountOf(m) end
end
redis.call('SET', KEYS[2], string.format('%d', sum), 'PX', math.ceil(window))

local reason = ''
if count + 1 > maxCount then
  reason = 'velocity_count'
elseif sum + amount > maxSum then
  reason = 'velocity_amount'
elseif factor > 0 then
  local history = redis.call('LRANGE', KEYS[3], 0, -1)
  if #history >= minSamples then
    local xs = {}
    for i, v in ipairs(history) do xs[i] = tonumber(v) end
    table.sort(xs)
    local n = #xs
    local median
    if n % 2 == 1 then median = xs[(n + 1) / 2] else median = (xs[n / 2] + xs[n / 2 + 1]) / 2 end
    if amount > factor * median then reason = 'amount_anomaly' end
  end
end
if reason ~= '' then
  return { 0, reason, count, string.format('%d', sum) }
end
redis.call('ZADD', KEYS[1], now, ARGV[5])
redis.call('PEXPIRE', KEYS[1], math.ceil(window))
redis.call('SET', KEYS[2], string.format('%d', sum + amount), 'PX', math.ceil(window))
redis.call('LPUSH', KEYS[3], ARGV[4])
redis.call('LTRIM', KEYS[3], 0, tonumber(ARGV[8]) - 1)
redis.call('PEXPIRE', KEYS[3], ARGV[9])
return { 1, '', count, string.format('%d', sum) }
