import { z } from 'zod';

/**
 * The broken variants ("sabotages") the service can run as, for proving that the harness's checkers
 * catch them (selftest). Each breaks exactly one guarantee of the service. Everything they replace is
 * wired in this folder only; config.ts merges the variable below into its schema.
 */
export const SABOTAGES = [
  'no-row-lock', // payout reads the balance without FOR UPDATE and writes back a computed value
  'no-idempotency', // payout ignores the Idempotency-Key
  'bank-no-key', // the worker calls the bank without the transfer id as idempotency key
  'enqueue-direct', // the API enqueues after commit (fire and forget) instead of the outbox relay
  'recon-no-throttle', // recon ignores RECON_QUEUE_BOUND
  'ack-before-commit', // the API answers 201 before its transaction commits
  'no-single-flight', // a cache miss loads from Postgres in every request: no per-process or Redis lock
  'no-purge-while-down', // a profile update drops its invalidation outbox row when the purge fails
  'non-atomic-limiter', // the rate limiter counts and admits in two Redis round trips instead of one script
  'refund-twice', // a payout's final failure credits the balance twice (once outside the ledger)
  'unbounded-retries', // payout jobs retry forever without backoff: a poison job never reaches the DLQ
  'no-drain', // a worker stops at SIGTERM without letting its in-flight jobs finish
  'unordered-transfer-locks', // an internal transfer locks its two accounts from → to, not in id order
  'recon-no-lookup', // recon fails and refunds stuck transfers without asking the bank what happened
  'non-atomic-velocity', // the fraud velocity window counts and records in two Redis round trips
  'relay-holds-locks', // the relay keeps its outbox rows locked (one transaction) across its publish to Redis
  'no-payout-deadline', // payouts have no deadline: queued ones wait for the database however long it takes
  // Chosen by the stack the runner starts, not by the service (harness/runner/stack-sabotages.ts):
  'async-standby', // topology ha: Patroni's synchronous_mode off and replication slowed, so standbys lag
  'async-commit', // PostgreSQL's synchronous_commit off: a commit is acknowledged before its WAL is flushed
  'pinned-redis-master', // topology ha: the roles dial the first Redis master's address, not the Sentinels
] as const;
export type Sabotage = (typeof SABOTAGES)[number];

export const sabotageVariables = {
  SABOTAGE: z
    .string()
    .default('')
    .transform((v, ctx) => {
      const names = v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      for (const n of names) {
        if (!(SABOTAGES as readonly string[]).includes(n)) {
          ctx.addIssue({
            code: 'custom',
            message: `unknown sabotage "${n}"; known: ${SABOTAGES.join(', ')}`,
          });
        }
      }
      return new Set(names as Sabotage[]);
    })
    .meta({
      description:
        "Test only: deliberately broken variants that prove the harness's checkers catch them (selftest). Empty, the only default, is the correct service.",
      allowed: `comma-separated names: ${SABOTAGES.map((s) => `\`${s}\``).join(', ')}`,
    }),
};
