import type { Redis } from 'ioredis';
import { LuaScript } from '../cache/lua-script.ts';
import { limitIn } from '../money/currencies.ts';
import { type FraudRules, HISTORY_LENGTH, HISTORY_TTL_MS, type HoldReason } from './rules.ts';

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

/** How a payout is checked against, and recorded in, its user's windows in Redis. */
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

/** Takes back an admitted payout that did not happen (refused, replayed): one script (velocity-forget-3.lua). */
export async function forgetInRedis(redis: Redis, keys: VelocityKeys, payout: ScreenedPayout): Promise<void> {
  await forgetScript.run(redis, [keys.window, keys.sum, keys.history], [payout.member, payout.amount]);
}
