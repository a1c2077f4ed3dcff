import { z } from 'zod';

/**
 * The throughput part of the service configuration (merged into config.ts's schema): whether concurrent
 * payouts of one account share a transaction, whether a worker's jobs share their statements, and how long
 * the API trusts an API key it has looked up.
 */

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

export const performanceVariables = {
  PAYOUT_COALESCE: z
    .enum(['on', 'off'])
    .default('on')
    .transform((v) => v === 'on')
    .describe(
      '`on`: concurrent payouts of one account in one API process share one transaction (one row lock, one commit, one WAL flush), each keeping its own key, response, ledger entry and outbox row; a payout whose key is already queued or in the database waits for it and replays its answer. On by default: its waits are bounded (`PAYOUT_DEADLINE_MS`, `PAYOUT_COALESCE_QUEUE_MAX`), and the bench measures it ahead of `off` on a hot account (docs/decisions/0007-hot-account-coalescing-on-by-default.md). `off`: one transaction per payout, and a second request with a key in flight answers 409 `idempotency_key_in_flight` at once.',
    ),
  PAYOUT_COALESCE_MAX: int(1, 1_000).default(64).describe('Payouts one coalesced transaction takes at most.'),
  PAYOUT_COALESCE_QUEUE_MAX: int(1, 100_000)
    .default(1_000)
    .describe(
      "Payouts of one account that may wait in one API process's coalescing queue; one more answers 503 `payout_queue_full` at once, with nothing written. 1,000: sixteen full batches behind the two in the database, about what one hot account drains within `PAYOUT_DEADLINE_MS` (the bench's `hot_coalesced_api_db_payouts`: 80–350 a second on 2 busy cores), so a payout refused here would mostly have waited out its deadline anyway; it also bounds the memory one hot account can take in a process.",
    ),
  WORKER_BATCH: z
    .enum(['on', 'off'])
    .default('on')
    .transform((v) => v === 'on')
    .describe(
      "`on`: a payout worker's concurrent jobs share their database statements: the claims that arrive while one claim statement is in flight go together in the next (`transfer_claim_many()`), and so do the settles (`transfer_settle_many()`), one round trip and one commit for all of them; a job that finds no statement in flight goes at once, alone (no timer). Rows are locked in id order and waited for at most `LOCK_TIMEOUT_MS`; a statement of many that fails for any reason is run again as one statement per job, so a busy row fails only its own job's attempt. On by default: the bench's drains measure it ahead of `off` in every round, at about half the CPU per payout (docs/decisions/0008-worker-statements-of-many-on-by-default.md). `off`: one claim and one settle statement per job.",
    ),
  WORKER_BATCH_MAX: int(1, 1_000)
    .default(64)
    .describe(
      'Transfers one claim or settle statement takes at most with `WORKER_BATCH=on`. 64: above `WORKER_CONCURRENCY` (50), so one statement can take every job of a worker, while its lock list and its answer stay small.',
    ),
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
