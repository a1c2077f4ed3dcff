import { z } from 'zod';

/**
 * Service configuration, parsed once from the environment at start-up.
 * This is the only module of the service that reads `process.env`.
 */

/** Each breaks exactly one guarantee of the service. */
export const SABOTAGES = [
  'no-row-lock', // payout reads the balance without FOR UPDATE and writes back a computed value
  'no-idempotency', // payout ignores the Idempotency-Key
  'bank-no-key', // the worker calls the bank without the transfer id as idempotency key
  'enqueue-direct', // the API enqueues after commit (fire and forget) instead of the outbox relay
  'recon-no-throttle', // recon ignores RECON_QUEUE_BOUND
  'ack-before-commit', // the API answers 201 before its transaction commits
] as const;
export type Sabotage = (typeof SABOTAGES)[number];

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

const schema = z.object({
  HOST: z.string().default('127.0.0.1'),
  /** HTTP port of this role: the API itself, the bank, or the /metrics + /healthz port of a background role. */
  PORT: int(0, 65535).default(3000),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),

  DATABASE_URL: z.string().url().default('postgres://faultline@127.0.0.1:5432/faultline'),
  /** Pool size per process; the API's debits each hold a connection for one round trip. */
  DATABASE_POOL_MAX: int(1, 500).default(20),
  REDIS_QUEUE_URL: z.string().url().default('redis://127.0.0.1:6379'),
  BANK_URL: z.string().url().default('http://127.0.0.1:4010'),
  /** BullMQ key prefix; tests give each suite its own so queues never mix. */
  QUEUE_PREFIX: z.string().min(1).default('faultline'),

  /** How long a debit waits for the account row lock before giving up with 503 `lock_timeout`. */
  LOCK_TIMEOUT_MS: int(1, 60_000).default(2_000),
  /** Upper bound of one amount in minor units (10,000,000.00): keeps sums far from bigint overflow. */
  MAX_AMOUNT: int(1, 1e15).default(1_000_000_000),
  /** Retries of a money transaction that hit 40P01/40001 before the client sees 503 `conflict_retry_exhausted`. */
  TX_RETRIES: int(0, 20).default(5),

  RELAY_BATCH: int(1, 10_000).default(200),
  /** Polling fallback for the relay when a NOTIFY is missed (e.g. while its LISTEN connection reconnects). */
  RELAY_POLL_MS: int(10, 60_000).default(1_000),

  /**
   * 50 because a payout job is I/O-bound: almost all of its time is spent waiting on the bank and on
   * Postgres, so one process can keep ~50 calls in flight on one core without CPU becoming the limit,
   * while staying well under the database pool and the bank's connection budget.
   */
  WORKER_CONCURRENCY: int(1, 1_000).default(50),
  WORKER_ATTEMPTS: int(1, 50).default(5),
  /** Base of the exponential backoff; each retry waits base·2^(n-1) plus up to 50% random jitter. */
  WORKER_BACKOFF_MS: int(1, 600_000).default(500),
  /** How often BullMQ looks for jobs whose worker died; a SIGKILLed worker's jobs resume within ~this. */
  STALLED_INTERVAL_MS: int(100, 600_000).default(30_000),
  /** A job's lock lives this long without renewal; BullMQ renews it at half this interval. */
  JOB_LOCK_MS: int(1_000, 600_000).default(30_000),
  BANK_TIMEOUT_MS: int(10, 120_000).default(5_000),

  /** Every 30 minutes, as the design sheet's `*\/30 * * * *` recon cron. */
  RECON_INTERVAL_MS: int(1_000, 86_400_000).default(1_800_000),
  /** A transfer not moved for this long is "stuck"; well above a job's worst-case retry schedule. */
  RECON_STUCK_AFTER_MS: int(0, 86_400_000).default(600_000),
  RECON_MAX_ATTEMPTS: int(1, 100).default(5),
  /** Recon never lets the payout queue's waiting count exceed this, so 10,000 stuck rows cannot flood it. */
  RECON_QUEUE_BOUND: int(1, 1_000_000).default(500),
  RECON_BATCH: int(1, 10_000).default(100),

  /** Directory of the mock bank's own durable ledger (never in the service's Postgres or Redis). */
  BANK_DATA_DIR: z.string().min(1).default('.faultline/bank'),
  /** Seed for the mock bank's fault dice, so a fault schedule is repeatable. */
  BANK_SEED: int(0).default(1),

  /**
   * Deliberately broken variants, for proving that the harness's checkers catch them (selftest).
   * Comma-separated names from SABOTAGES; empty — the only default — means the correct service.
   */
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
    }),
});

export type Config = z.infer<typeof schema>;

/** Parses the environment; exits with a message naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** Every variable the service understands, for the README table and `--help`. */
export const configVariables = Object.keys(schema.shape);
