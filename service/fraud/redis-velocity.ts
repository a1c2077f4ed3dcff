import type { Redis } from 'ioredis';
import { LuaScript } from '../cache/lua-script.ts';
import { limitIn } from '../money/currencies.ts';
import { type FraudRules, HISTORY_LENGTH, HISTORY_TTL_MS, type HoldReason, judge } from './rules.ts';

const velocityScript = new LuaScript(new URL('./velocity-3.lua', import.meta.url));
const forgetScript = new LuaScript(new URL('./velocity-forget-3.lua', import.meta.url));

/** A user's keys for one currency; the hash tag keeps them in one Redis Cluster slot. */
export interface VelocityKeys {
  window: string;
  sum: string;
  history: string;
}

export interface ScreenedPayout {
  amount: number;
  currency: string;
  /** Unique to this payout: `<amount>:<id>`, so the window can sum amounts and forget one entry. */
  member: string;
}

/** How a check reaches Redis: the atomic script, or (sabotage) a read and a separate write. */
export type RedisVelocityCheck = (
  redis: Redis,
  keys: VelocityKeys,
  payout: ScreenedPayout,
  rules: FraudRules,
  opts?: { nowMs?: number },
) => Promise<HoldReason | null>;

/** The fraud rules in one atomic script call (velocity-3.lua); records the payout if admitted. */
export const checkInRedis: RedisVelocityCheck = async (redis, keys, payout, rules, opts = {}) => {
  const reply = (await velocityScript.run(
    redis,
    [keys.window, keys.sum, keys.history],
    [
      rules.windowMs,
      rules.maxPayouts,
      limitIn(payout.currency, rules.maxAmount),
      payout.amount,
      payout.member,
      rules.anomalyFactor,
      rules.anomalyMinSamples,
      HISTORY_LENGTH,
      HISTORY_TTL_MS,
      opts.nowMs ?? '',
    ],
  )) as [number, string, number, string];
  return reply[0] === 1 ? null : (reply[1] as HoldReason);
};

/**
 * Sabotage `non-atomic-velocity`: reads the window in one round trip, decides here, and records in
 * another, so concurrent payouts of one user all see the same count and all get through. Between the
 * two it spends DECISION_MS, as a decision that loads anything (the user's limits, a risk score) would:
 * with only a round trip's gap the race is real but depends on how requests happen to arrive, and a
 * sabotage must be caught every time, not on a lucky run.
 */
const DECISION_MS = 5;

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

/** Takes back an admitted payout that did not happen (refused, replayed): one script (velocity-forget-3.lua). */
export async function forgetInRedis(redis: Redis, keys: VelocityKeys, payout: ScreenedPayout): Promise<void> {
  await forgetScript.run(redis, [keys.window, keys.sum, keys.history], [payout.member, payout.amount]);
}
