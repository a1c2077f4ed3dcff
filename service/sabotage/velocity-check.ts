import type { RedisVelocityCheck } from '../fraud/redis-velocity.ts';
import { HISTORY_LENGTH, HISTORY_TTL_MS, judge } from '../fraud/rules.ts';

/**
 * How long the check spends between its read and its write, as a decision that loads anything (the
 * user's limits, a risk score) would: with only a round trip's gap the race is real but depends on how
 * requests happen to arrive, and a broken variant must be caught every time, not on a lucky run.
 */
const DECISION_MS = 5;

/**
 * `non-atomic-velocity`: reads the window in one round trip, decides here, and records in another, so
 * concurrent payouts of one user all see the same count and all get through.
 */
export const checkInRedisNonAtomic: RedisVelocityCheck = async (redis, keys, payout, rules) => {
  const now = Date.now();
  const read = await redis
    .multi()
    .zremrangebyscore(keys.window, '-inf', now - rules.windowMs)
    .zrange(keys.window, 0, -1)
    .lrange(keys.history, 0, -1)
    .exec();
  const members = (read?.[1]?.[1] ?? []) as string[];
  const history = ((read?.[2]?.[1] ?? []) as string[]).map(Number);
  const sum = members.reduce((s, m) => s + Number(m.split(':')[0]), 0);
  const hold = judge({ count: members.length, sum, history }, payout, rules);
  if (hold) return hold;
  await new Promise((resolve) => setTimeout(resolve, DECISION_MS));
  await redis
    .multi()
    .zadd(keys.window, now, payout.member)
    .pexpire(keys.window, rules.windowMs)
    .set(keys.sum, sum + payout.amount, 'PX', rules.windowMs)
    .lpush(keys.history, payout.amount)
    .ltrim(keys.history, 0, HISTORY_LENGTH - 1)
    .pexpire(keys.history, HISTORY_TTL_MS)
    .exec();
  return null;
};
