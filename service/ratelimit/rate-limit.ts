import type { MiddlewareHandler } from 'hono';
import { AppError } from '../errors.ts';
import type { RateLimiter } from './rate-limiter.ts';
import type { Decision, RouteClass } from './rules.ts';

/** 429: the user's window for this route class is full; nothing was done. Retry after `Retry-After`. */
export class RateLimited extends AppError {
  constructor(routeClass: RouteClass, d: Decision) {
    super(
      429,
      'rate_limited',
      `more than ${d.limit} ${routeClass} requests in ${d.windowMs} ms; retry in ${d.retryAfterMs} ms`,
      { routeClass, limit: d.limit, windowMs: d.windowMs, retryAfterMs: d.retryAfterMs },
    );
  }
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * Rate-limits a route per user (after auth). Every answer carries the IETF draft's RateLimit-Limit,
 * -Remaining, -Reset (seconds) and -Policy headers; a refusal is 429 `rate_limited` with Retry-After.
 */
export const rateLimit = ({
  limiter,
  routeClass,
}: {
  limiter: RateLimiter;
  routeClass: RouteClass;
}): MiddlewareHandler<{ Variables: { userId: string } }> =>
  async function rateLimit(c, next) {
    const d = await limiter.decide(routeClass, c.var.userId);
    c.header('RateLimit-Limit', String(d.limit));
    c.header('RateLimit-Remaining', String(d.remaining));
    c.header('RateLimit-Reset', String(seconds(d.resetMs)));
    c.header('RateLimit-Policy', `${d.limit};w=${d.windowMs / 1000}`);
    if (!d.allowed) {
      c.header('Retry-After', String(seconds(d.retryAfterMs)));
      throw new RateLimited(routeClass, d);
    }
    await next();
  };
