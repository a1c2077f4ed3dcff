import { z } from 'zod';

/**
 * The throughput part of the service configuration (merged into config.ts's schema): how long the API
 * trusts an API key it has looked up (README, Performance).
 */

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

export const performanceVariables = {
  /**
   * How long (ms) an API process trusts a user's API key it has looked up, so a request needs no query
   * to authenticate: a revoked or re-keyed key keeps working this long at most. 0: look up every request.
   */
  AUTH_CACHE_TTL_MS: int(0, 60_000).default(5_000),
  /** Keys an API process remembers at most (the least recently looked-up go first). */
  AUTH_CACHE_MAX: int(1, 1_000_000).default(10_000),
};
