import { randomUUID } from 'node:crypto';
import type { CacheLink } from '../cache/cache-link.ts';
import type { Config } from '../config.ts';
import { LocalVelocity } from './local-velocity.ts';
import { fraudChecks } from './metrics.ts';
import {
  checkInRedis,
  forgetInRedis,
  type RedisVelocityCheck,
  type ScreenedPayout,
  type VelocityKeys,
} from './redis-velocity.ts';
import { type FraudRules, fraudRulesFrom, type HoldReason } from './rules.ts';

/** The fraud rules' verdict on one payout, before it is written. */
export interface Screening {
  /** Why to hold it in MANUAL_REVIEW, or null: let it go. */
  hold: HoldReason | null;
  /** Takes back the window's record of an admitted payout that then did not happen. */
  forget(): Promise<void>;
}

/**
 * Screens payouts with the fraud rules before the money transaction: one Redis script call per
 * payout (velocity-3.lua), never inside the transaction that holds the account's row lock. The
 * windows live in the cache Redis, shared by every API process. While it is unreachable, each process
 * decides with its own in-process window (LocalVelocity): failing closed would hold every payout of
 * every user for review during a cache outage; failing open would lift the limits exactly while the
 * system is degraded. Payouts already held are unaffected: they wait in Postgres for an operator.
 */
export class FraudScreen {
  readonly #local = new LocalVelocity();

  constructor(
    private readonly opts: {
      link: CacheLink;
      rules: FraudRules;
      /** How the rules are checked in Redis; by default one atomic script (checkInRedis). */
      check?: RedisVelocityCheck;
    },
  ) {}

  async screen(payout: { userId: string; amount: number; currency: string }): Promise<Screening> {
    const { link, rules } = this.opts;
    const keys = this.#keys(payout.userId, payout.currency);
    const entry: ScreenedPayout = {
      amount: payout.amount,
      currency: payout.currency,
      member: `${payout.amount}:${randomUUID()}`,
    };
    if (link.reachable()) {
      try {
        const hold = await (this.opts.check ?? checkInRedis)(link.redis, keys, entry, rules);
        fraudChecks.inc({ source: 'redis' });
        return {
          hold,
          forget: async () => {
            if (!hold) await forgetInRedis(link.redis, keys, entry).catch((err) => link.failed('fraud', err));
          },
        };
      } catch (err) {
        link.failed('fraud', err);
      }
    }
    fraudChecks.inc({ source: 'local' });
    const hold = this.#local.check(keys.window, entry, rules);
    return {
      hold,
      forget: async () => {
        if (!hold) this.#local.forget(keys.window, entry);
      },
    };
  }

  close(): void {
    this.#local.close();
  }

  #keys(userId: string, currency: string): VelocityKeys {
    const base = `${this.opts.link.prefix}:fraud:{${userId}:${currency}}`;
    return { window: `${base}:window`, sum: `${base}:sum`, history: `${base}:history` };
  }
}

/** The API's screen, with the rules of the configuration. */
export function createFraudScreen(
  config: Config,
  link: CacheLink,
  opts: { check?: RedisVelocityCheck } = {},
): FraudScreen {
  return new FraudScreen({ link, rules: fraudRulesFrom(config), ...opts });
}
