import { z } from 'zod';

/**
 * The throughput part of the service configuration (merged into config.ts's schema): whether concurrent
 * payouts of one account share a transaction, and how long the API trusts an API key it has looked up
 * (README, Performance).
 */

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

export const performanceVariables = {
  /**
   * `on`: concurrent payouts of one account in one API process share one transaction (one row lock, one
   * commit, one WAL flush), each with its own key, response, ledger entry and outbox row.
   */
  PAYOUT_COALESCE: z
    .enum(['on', 'off'])
    .default('off')
    .transform((v) => v === 'on'),
  /** Payouts one coalesced transaction takes at most. */
  PAYOUT_COALESCE_MAX: int(1, 1_000).default(64),
  /**
   * How long (ms) an API process trusts a user's API key it has looked up, so a request needs no query
   * to authenticate: a revoked or re-keyed key keeps working this long at most. 0: look up every request.
   */
  AUTH_CACHE_TTL_MS: int(0, 60_000).default(5_000),
  /** Keys an API process remembers at most (the least recently looked-up go first). */
  AUTH_CACHE_MAX: int(1, 1_000_000).default(10_000),
};
