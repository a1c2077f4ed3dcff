import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { performanceVariables } from './config-performance.ts';
import { securityVariables } from './config-security.ts';
import { sentinelVariables } from './config-sentinel.ts';
import { sabotageVariables } from './sabotage/variables.ts';

/**
 * Service configuration, parsed once from the environment at start-up.
 * This is the only module of the service that reads `process.env`.
 */

export { SABOTAGES, type Sabotage } from './sabotage/variables.ts';

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

/** A rate limit written `<limit>/<window ms>`, e.g. `10/1000`. */
const rate = z
  .string()
  .regex(/^\d{1,6}\/\d{1,8}$/, 'a limit and a window in ms, like 10/1000')
  .transform((v) => {
    const [limit, windowMs] = v.split('/').map(Number) as [number, number];
    return { limit, windowMs };
  })
  .refine((r) => r.limit >= 1 && r.windowMs >= 1, 'limit and window must be at least 1')
  .meta({ allowed: '`<limit>/<window ms>`, each at least 1' });

/** Every variable, each with its description: docs/configuration.md is generated from it (`npm run docs`). */
const schema = z.object({
  HOST: z
    .string()
    .default('127.0.0.1')
    .describe("Interface the public port (the API's, the bank's) listens on."),
  PORT: int(0, 65535)
    .default(3000)
    .describe(
      'The public HTTP port of the API and of the bank; the background roles (relay, worker, recon) have only the ops listener.',
    ),
  LOG_LEVEL: z
    .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
    .default('info')
    .describe('pino log level.'),

  DATABASE_URL: z
    .string()
    .url()
    .default('postgres://faultline@127.0.0.1:5432/faultline')
    .describe('PostgreSQL. With TLS: `sslmode=verify-full&sslrootcert=<ca file>` in the URL.'),
  DATABASE_POOL_MAX: int(1, 500)
    .default(20)
    .describe(
      'Connections in the pool of each API process; a debit holds one for a single round trip. The relay and recon take 4, a worker min(`WORKER_CONCURRENCY`, 20).',
    ),
  REDIS_QUEUE_URL: z.string().url().default('redis://127.0.0.1:6379').describe('The queue Redis (BullMQ).'),
  REDIS_CACHE_URL: z
    .string()
    .url()
    .default('redis://127.0.0.1:6380')
    .describe(
      "The cache Redis (profiles, dashboards, rate-limit and fraud velocity windows): disposable, `allkeys-lru`, never the queue's.",
    ),
  BANK_URL: z.string().url().default('http://127.0.0.1:4010').describe('The mock bank.'),
  QUEUE_PREFIX: z
    .string()
    .min(1)
    .default('faultline')
    .describe('BullMQ key prefix; tests give each suite its own so that queues never mix.'),

  LOCK_TIMEOUT_MS: int(1, 60_000)
    .default(2_000)
    .describe(
      'How long a money operation waits for an account row lock before it answers 503 `lock_timeout`.',
    ),
  MAX_AMOUNT: int(1, 1e15)
    .default(1_000_000_000)
    .describe(
      "Largest amount, in minor units of a 2-decimal currency (10,000,000.00), scaled by each currency's exponent: keeps sums far from bigint overflow.",
    ),
  TX_RETRIES: int(0, 20)
    .default(5)
    .describe(
      'Retries of a money transaction that hit a deadlock or serialization failure (40P01/40001) before the client gets 503 `conflict_retry_exhausted`.',
    ),

  RELAY_BATCH: int(1, 10_000).default(200).describe('Outbox rows the relay claims and publishes per batch.'),
  RELAY_POLL_MS: int(10, 60_000)
    .default(1_000)
    .describe(
      "The relay's polling fallback when a hint (payouts, over the queue Redis) or a NOTIFY (released fraud holds) is missed: what a lost hint costs at most.",
    ),

  WORKER_CONCURRENCY: int(1, 1_000)
    .default(50)
    .describe(
      "Payout jobs in flight per worker process. 50 because a job is I/O-bound: almost all its time is spent waiting on the bank and on Postgres, so one process keeps ~50 calls in flight on one core without CPU becoming the limit, well under the database pool and the bank's connection budget (the bench's worker_concurrency section measures it).",
    ),
  WORKER_ATTEMPTS: int(1, 50).default(5).describe('Bank attempts per payout job before its final failure.'),
  WORKER_BACKOFF_MS: int(1, 600_000)
    .default(500)
    .describe('Backoff base: attempt n waits base·2^(n−1) plus up to 50 % random jitter.'),
  STALLED_INTERVAL_MS: int(100, 600_000)
    .default(30_000)
    .describe(
      "How often BullMQ looks for jobs whose worker died: a SIGKILLed worker's jobs are taken up again within about this long.",
    ),
  JOB_LOCK_MS: int(1_000, 600_000)
    .default(30_000)
    .describe("A job's lock lives this long without renewal; BullMQ renews it at half this interval."),
  BANK_TIMEOUT_MS: int(10, 120_000)
    .default(5_000)
    .describe('Timeout of one bank call (worker, recon, operator commands).'),

  RECON_INTERVAL_MS: int(1_000, 86_400_000)
    .default(1_800_000)
    .describe("Recon's schedule: every 30 minutes, as the design sheet's `*/30 * * * *` cron."),
  RECON_STUCK_AFTER_MS: int(0, 86_400_000)
    .default(600_000)
    .describe(
      "A transfer not moved for this long is stuck and recon takes it: well above a job's worst-case retry schedule.",
    ),
  RECON_MAX_ATTEMPTS: int(1, 100)
    .default(5)
    .describe('Recon re-sends of a transfer before it goes to MANUAL_REVIEW.'),
  RECON_QUEUE_BOUND: int(1, 1_000_000)
    .default(500)
    .describe(
      "Recon never lets the payout queue's waiting count exceed this, so 10,000 stuck rows cannot flood the queue.",
    ),
  RECON_BATCH: int(1, 10_000).default(100).describe('Stuck rows recon claims at a time.'),

  CACHE_PREFIX: z
    .string()
    .min(1)
    .default('faultline')
    .describe('Key prefix in the cache Redis; tests give each file its own so entries never mix.'),
  CACHE_COMMAND_TIMEOUT_MS: int(10, 10_000)
    .default(1_000)
    .describe(
      'A cache command slower than this counts as Redis away: the read goes to Postgres and the process stops asking Redis until a probe succeeds (only the first request pays it). Redis answers in well under 1 ms, but the timer runs on the event loop: 1 s stays clear of the stalls a busy process has under a burst (250 ms did not, on 2 cores) and still bounds what a hung Redis costs.',
    ),
  PROFILE_CACHE_TTL_MS: int(100, 86_400_000)
    .default(600_000)
    .describe('Profile TTL: 10 minutes, as the design sheet decided (profiles rarely change).'),
  DASHBOARD_CACHE_TTL_MS: int(100, 86_400_000)
    .default(300_000)
    .describe('Dashboard layout and history metadata TTL: 5 minutes (its balances are always read live).'),
  CACHE_TTL_JITTER: z.coerce
    .number()
    .min(0)
    .max(1)
    .default(0.1)
    .describe(
      'Each TTL gets up to this fraction added at random (0.1: 10 min becomes 10–11 min), so entries filled together (after a deploy, a flush) do not all expire in the same second.',
    ),
  CACHE_LOCK_MS: int(50, 60_000)
    .default(2_000)
    .describe(
      'Lifetime of the Redis lock one loader holds while it reads a missing entry from Postgres; renewed at half-life while it works, so a slow load keeps the other processes waiting for its value, and a crashed loader holds them up at most this long.',
    ),
  CACHE_SYNC_INTERVAL_MS: int(10, 10_000)
    .default(250)
    .describe(
      'How often each API process applies pending cache invalidations, probes the cache Redis and renews its trust in it.',
    ),
  CACHE_TRUST_LEASE_MS: int(50, 60_000)
    .default(3_000)
    .describe(
      'A process serves from the cache only while a sync pass that succeeded started less than this long ago; a profile update whose purge failed waits this long (or until another process applied it) before it answers, so this is what a profile update costs while the cache Redis is down. 3 s: twelve passes, so a process whose event loop a burst swamps (1 s lapsed under the stampede scenario on 2 cores) keeps its cache.',
    ),
  RATE_LIMIT_BALANCE: rate
    .prefault('10/1000')
    .describe(
      'Balance reads per user (`GET /v1/accounts/:id`, and `GET /v1/dashboard`, which reads balances live). A person needs about one a second; ten leaves room for a screen opening several accounts at once; anything faster is a polling loop whose every request would be a Postgres query, since balances are never cached.',
    ),
  RATE_LIMIT_PROFILE_READ: rate
    .prefault('50/1000')
    .describe(
      'Profile and public-profile reads per user: a page may show dozens of profiles; they are cached.',
    ),
  RATE_LIMIT_PROFILE_WRITE: rate
    .prefault('10/10000')
    .describe(
      'Profile updates per user: people edit a profile a few times a session; each write is a Postgres commit and a purge.',
    ),

  BANK_DATA_DIR: z
    .string()
    .min(1)
    .default('.faultline/bank')
    .describe("Directory of the mock bank's own fsync'ed ledger (never in the service's Postgres or Redis)."),
  BANK_SEED: int(0)
    .default(1)
    .describe("Default seed of the mock bank's fault dice, so that a fault schedule repeats."),

  ...sabotageVariables,
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

/** The schema, for the generated reference (docs/configuration.md). */
export const configSchema = schema;
