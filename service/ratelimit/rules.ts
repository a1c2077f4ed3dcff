import type { Config } from '../config.ts';

/** The route classes a user's requests are counted in, each with its own window. */
export type RouteClass = 'balance' | 'profile-read' | 'profile-write';

/** At most `limit` requests in any `windowMs` window. */
export interface Rule {
  limit: number;
  windowMs: number;
}

export type Rules = Record<RouteClass, Rule>;

/** The limits from the configuration (their reasons are next to the variables in config.ts). */
export function rulesFrom(config: Config): Rules {
  return {
    balance: config.RATE_LIMIT_BALANCE,
    'profile-read': config.RATE_LIMIT_PROFILE_READ,
    'profile-write': config.RATE_LIMIT_PROFILE_WRITE,
  };
}

/** What the limiter decided about one request. */
export interface Decision {
  allowed: boolean;
  limit: number;
  windowMs: number;
  /** Requests left in the window after this one. */
  remaining: number;
  /** 0 when allowed; otherwise when a request would be admitted again. */
  retryAfterMs: number;
  /** When the oldest admission counted now leaves the window. */
  resetMs: number;
}
