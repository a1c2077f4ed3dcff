import { z } from 'zod';

/**
 * The throughput part of the service configuration (merged into config.ts's schema): whether concurrent
 * payouts of one account share a transaction, and how long the API trusts an API key it has looked up.
 */

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

export const performanceVariables = {
  PAYOUT_COALESCE: z
    .enum(['on', 'off'])
    .default('off')
    .transform((v) => v === 'on')
    .describe(
      '`on`: concurrent payouts of one account in one API process share one transaction (one row lock, one commit, one WAL flush), each keeping its own key, response, ledger entry and outbox row. Off by default until it is measured on a quiet machine.',
    ),
  PAYOUT_COALESCE_MAX: int(1, 1_000).default(64).describe('Payouts one coalesced transaction takes at most.'),
  AUTH_CACHE_TTL_MS: int(0, 60_000)
    .default(5_000)
    .describe(
      "How long an API process trusts a user's API key it has looked up, so a request needs no query to authenticate: a revoked or re-keyed key keeps working at most this long. 0 looks up every request.",
    ),
  AUTH_CACHE_MAX: int(1, 1_000_000)
    .default(10_000)
    .describe(
      'API keys an API process remembers at most (the least recently looked-up go first); operator keys are never cached.',
    ),
};
