import type { CacheLink } from '../cache/cache-link.ts';
import { rateLimitDecisions, rateLimitFallbacks } from '../metrics.ts';
import { LocalWindow } from './local-window.ts';
import { decideInRedis, type RedisWindow } from './redis-window.ts';
import type { Decision, RouteClass, Rules } from './rules.ts';

/**
 * Per-user, per-route-class sliding-window limits. The window lives in the cache Redis, so every API
 * process counts against the same one. While that Redis is unreachable, each process falls back to
 * its own in-process window with the same rule: a deliberate middle ground. Failing closed would turn a
 * cache outage into an outage of balance reads; failing open would let one client hammer Postgres
 * exactly while the system is degraded. Per user, at most (API processes × limit) get through.
 */
export class RateLimiter {
  readonly #local = new LocalWindow();

  constructor(
    private readonly opts: {
      link: CacheLink;
      rules: Rules;
      /** How a decision is made in Redis; by default one atomic script (decideInRedis). */
      window?: RedisWindow;
    },
  ) {}

  /** Decides about one request of `userId` in `routeClass`, and counts it if admitted. */
  async decide(routeClass: RouteClass, userId: string): Promise<Decision> {
    const { link, rules, window = decideInRedis } = this.opts;
    const rule = rules[routeClass];
    const key = `${link.prefix}:ratelimit:${routeClass}:${userId}`;
    let decision: Decision | undefined;
    if (link.reachable()) {
      try {
        decision = await window(link.redis, key, rule);
      } catch (err) {
        link.failed('rate_limit', err);
      }
    }
    if (!decision) {
      rateLimitFallbacks.inc({ route_class: routeClass });
      decision = this.#local.decide(key, rule);
    }
    rateLimitDecisions.inc({ route_class: routeClass, decision: decision.allowed ? 'allowed' : 'limited' });
    return decision;
  }

  close(): void {
    this.#local.close();
  }
}
