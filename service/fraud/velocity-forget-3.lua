-- Takes an admitted payout back out of the fraud window (it did not happen: refused, or a replay), with
-- its amount out of the sum and out of the history, atomically.
-- Input: KEYS[1] the window (sorted set), KEYS[2] its sum, KEYS[3] the recent amounts (list)
--        ARGV[1] the payout's member "<amount>:<unique id>", ARGV[2] its amount
-- Output: 1 when it was in the window, 0 when it had left already (expired: nothing to take back)
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then
  return 0
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('DECRBY', KEYS[2], ARGV[2])
end
redis.call('LREM', KEYS[3], 1, ARGV[2])
return 1
