import { randomUUID } from 'node:crypto';
import type { RedisWindow } from '../ratelimit/redis-window.ts';

/**
 * `non-atomic-limiter`: counts in one round trip and admits in another, so concurrent requests all see
 * room in the window and all get in.
 */
export const decideInRedisNonAtomic: RedisWindow = async (redis, key, rule) => {
  const now = Date.now();
  const counted = await redis
    .multi()
    .zremrangebyscore(key, '-inf', now - rule.windowMs)
    .zcard(key)
    .exec();
  const count = Number(counted?.[1]?.[1] ?? 0);
  const base = { limit: rule.limit, windowMs: rule.windowMs };
  if (count >= rule.limit) return { ...base, allowed: false, remaining: 0, retryAfterMs: 1, resetMs: 1 };
  await redis.multi().zadd(key, now, randomUUID()).pexpire(key, rule.windowMs).exec();
  return {
    ...base,
    allowed: true,
    remaining: rule.limit - count - 1,
    retryAfterMs: 0,
    resetMs: rule.windowMs,
  };
};
