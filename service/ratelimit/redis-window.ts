import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LuaScript } from '../cache/lua-script.ts';
import type { Decision, Rule } from './rules.ts';

const slidingWindow = new LuaScript(new URL('./sliding-window-1.lua', import.meta.url));

/** The shared sliding window in the cache Redis: one atomic script per decision (sliding-window-1.lua). */
export async function decideInRedis(
  redis: Redis,
  key: string,
  rule: Rule,
  opts: { nowMs?: number } = {},
): Promise<Decision> {
  const reply = (await slidingWindow.run(
    redis,
    [key],
    [rule.windowMs, rule.limit, randomUUID(), opts.nowMs ?? ''],
  )) as [number, number, number, number];
  const [allowed, remaining, retryAfterMs, resetMs] = reply;
  return {
    allowed: allowed === 1,
    limit: rule.limit,
    windowMs: rule.windowMs,
    remaining,
    retryAfterMs,
    resetMs,
  };
}

/**
 * Sabotage `non-atomic-limiter`: counts in one round trip and admits in another, so concurrent requests
 * all see room in the window and all get in.
 */
export async function decideInRedisNonAtomic(redis: Redis, key: string, rule: Rule): Promise<Decision> {
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
}
