import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LuaScript } from '../cache/lua-script.ts';
import type { Decision, Rule } from './rules.ts';

const slidingWindow = new LuaScript(new URL('./sliding-window-1.lua', import.meta.url));

/** Decides one request against a window in Redis shared by every API process, and counts it if admitted. */
export type RedisWindow = (redis: Redis, key: string, rule: Rule) => Promise<Decision>;

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
