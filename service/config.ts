import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { performanceVariables } from './config-performance.ts';
import { securityVariables } from './config-security.ts';
import { sentinelVariables } from './config-sentinel.ts';

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
  'no-single-flight', // a cache miss loads from Postgres in every request: no per-process or Redis lock
  'no-purge-while-down', // a profile update drops its invalidation outbox row when the purge fails
  'non-atomic-limiter', // the rate limiter counts and admits in two Redis round trips instead of one script
  'refund-twice', // a payout's final failure credits the balance twice (once outside the ledger)
  'unbounded-retries', // payout jobs retry forever without backoff: a poison job never reaches the DLQ
  'no-drain', // a worker stops at SIGTERM without letting its in-flight jobs finish
  'unordered-transfer-locks', // an internal transfer locks its two accounts from → to, not in id order
  'recon-no-lookup', // recon fails and refunds stuck transfers without asking the bank what happened
  'non-atomic-velocity', // the fraud velocity window counts and records in two Redis round trips
  // Chosen by the stack the runner starts, not by the service (harness/runner/stack-sabotages.ts):
  'async-standby', // topology ha: Patroni's synchronous_mode off and replication slowed, so standbys lag
  'async-commit', // PostgreSQL's synchronous_commit off: a commit is acknowledged before its WAL is flushed
  'pinned-redis-master', // topology ha: the roles dial the first Redis master's address, not the Sentinels
] as const;
export type Sabotage = (typeof SABOTAGES)[number];

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

/** A rate limit written `<limit>/<window ms>`, e.g. `10/1000`. */
const rate = z
  .string()
  .regex(/^\d{1,6}\/\d{1,8}$/, 'a limit and a window in ms, like 10/1000')
  .transform((v) => {
    const [limit, windowMs] = v.split('/').map(Number) as [number, number];
    return { limit, windowMs };
  })
  .refine((r) => r.limit >= 1 && r.windowMs >= 1, 'limit and window must be at least 1');

const schema = z.object({
  HOST: z.string().default('127.0.0.1'),
  /** HTTP port of this role: the API itself, the bank, or the /metrics + /healthz port of a background role. */
  PORT: int(0, 65535).default(3000),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),

  DATABASE_URL: z.string().url().default('postgres://faultline@127.0.0.1:5432/faultline'),
  /** Pool size per process; the API's debits each hold a connection for one round trip. */
  DATABASE_POOL_MAX: int(1, 500).default(20),
  REDIS_QUEUE_URL: z.string().url().default('redis://127.0.0.1:6379'),
  /** The cache Redis (profiles, dashboards, rate-limit windows): disposable, allkeys-lru, never the queue's. */
  REDIS_CACHE_URL: z.string().url().default('redis://127.0.0.1:6380'),
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
  /** Polling fallback for the relay when a hint (payouts) or a NOTIFY (released holds) is missed. */
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

  /** Key prefix in the cache Redis; tests give each file its own so entries never mix. */
  CACHE_PREFIX: z.string().min(1).default('faultline'),
  /**
   * A cache command slower than this counts as Redis being away: the read goes to Postgres and the
   * process stops asking Redis until a probe succeeds (so only the first request pays it). Redis answers
   * in well under 1 ms, but the timer runs on the event loop: 1 s stays clear of the stalls a busy
   * process has under a burst (250 ms did not, on 2 cores), and still bounds what a hung Redis costs.
   */
  CACHE_COMMAND_TIMEOUT_MS: int(10, 10_000).default(1_000),
  /** Profiles rarely change: 10 minutes, as the design sheet decided. */
  PROFILE_CACHE_TTL_MS: int(100, 86_400_000).default(600_000),
  /** Dashboard layout and history metadata: 5 minutes (its balances are always read live). */
  DASHBOARD_CACHE_TTL_MS: int(100, 86_400_000).default(300_000),
  /**
   * Each TTL gets up to this fraction added at random (0.1: 10 min becomes 10–11 min), so entries
   * filled together (after a deploy, a flush) do not all expire in the same second.
   */
  CACHE_TTL_JITTER: z.coerce.number().min(0).max(1).default(0.1),
  /**
   * Lifetime of the Redis lock one loader holds while it reads a missing entry from Postgres; the loader
   * renews it at half-life while it works, so a load slowed by a busy pool keeps the other processes
   * waiting for its value, and a crashed loader holds them up for at most this long.
   */
  CACHE_LOCK_MS: int(50, 60_000).default(2_000),
  /** How often each API process applies pending cache invalidations and renews its trust in the cache. */
  CACHE_SYNC_INTERVAL_MS: int(10, 10_000).default(250),
  /**
   * A process serves from the cache only if a sync pass that succeeded started less than this long ago.
   * A profile update whose purge failed waits this long (or until another process applied it) before it
   * answers, so this is what a profile update costs while the cache Redis is down. 3 s: twelve passes,
   * so a process whose event loop is swamped by a burst (1 s lapsed under the stampede scenario on 2
   * cores) keeps its cache, while an outage delays profile updates by only a few seconds.
   */
  CACHE_TRUST_LEASE_MS: int(50, 60_000).default(3_000),
  /**
   * Balance reads (GET /v1/accounts/:id and the dashboard, which reads balances live) per user:
   * `<limit>/<window ms>`. A person, or an app refreshing a screen, needs about one a second; ten
   * leaves room for a dashboard opening several accounts at once, and anything faster is a polling loop
   * whose every request would be a Postgres query, since balances are never cached.
   */
  RATE_LIMIT_BALANCE: rate.prefault('10/1000'),
  /** Profile and public-profile reads per user: a page may show dozens of profiles; they are cached. */
  RATE_LIMIT_PROFILE_READ: rate.prefault('50/1000'),
  /** Profile updates per user: people edit a profile a few times a session; each write is a Postgres commit. */
  RATE_LIMIT_PROFILE_WRITE: rate.prefault('10/10000'),

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

  ...securityVariables,
  ...performanceVariables,
  ...sentinelVariables,
});

export type Config = z.infer<typeof schema>;

/**
 * Parses the environment; exits with a message naming each bad variable. Any variable can be given as
 * `<NAME>_FILE`, the path of a file holding its value (the Docker secrets convention), so secrets need
 * not sit in the environment.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(withFiles(env));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

function withFiles(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  const problems: string[] = [];
  for (const name of Object.keys(schema.shape)) {
    const file = env[`${name}_FILE`];
    if (file === undefined) continue;
    if (env[name] !== undefined) {
      problems.push(`  ${name}_FILE: set ${name} or ${name}_FILE, not both`);
      continue;
    }
    try {
      out[name] = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      problems.push(`  ${name}_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? err})`);
    }
  }
  if (problems.length > 0) throw new Error(`invalid configuration:\n${problems.join('\n')}`);
  return out;
}

/** Every variable the service understands, for the README table and `--help`. */
export const configVariables = Object.keys(schema.shape);
