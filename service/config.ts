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
const schema = z
  .object({
    HOST: z.string().default('127.0.0.1').describe("Interface the API's public port listens on."),
    PORT: int(0, 65535)
      .default(3000)
      .describe(
        'The public HTTP port of the API; the background roles (relay, worker, recon) have only the ops listener.',
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
    DATABASE_CONNECT_TIMEOUT_MS: int(100, 600_000)
      .default(5_000)
      .describe(
        'How long a query waits for a pool connection (every one busy, or PostgreSQL not accepting) before a request answers 503 `database_unavailable`.',
      ),
    DATABASE_STATEMENT_TIMEOUT_MS: int(100, 3_600_000)
      .default(5_000)
      .describe(
        "PostgreSQL's `statement_timeout` and `idle_in_transaction_session_timeout` on every connection of every role: a statement running longer is cancelled and rolled back, and a transaction left idle this long (its client paused or gone) is ended, its locks with it. 5 s: a money statement waits at most `LOCK_TIMEOUT_MS` (2 s) for its row and then holds it for milliseconds (the bench's `hot_lock_hold_ms_p99`: 2–4 ms), so a healthy one never comes near it; it must exceed `LOCK_TIMEOUT_MS`. Migrations run under a bound of their own (15 minutes).",
      ),
    DATABASE_QUERY_TIMEOUT_MS: int(100, 3_600_000)
      .default(7_000)
      .describe(
        "How long a role waits for the answer to one query before it gives the connection up (node-postgres's `query_timeout`): the bound when PostgreSQL cannot answer at all (paused, or its link lost without a reset), which `statement_timeout` cannot enforce. `DATABASE_STATEMENT_TIMEOUT_MS` + 2 s, so a statement the server cancels answers first, and the commit's WAL flush, which `statement_timeout` does not cover, has 2 s more; it must exceed `DATABASE_STATEMENT_TIMEOUT_MS`. An answer given up this way is unknown: 503 `database_unavailable`, retry with the same key.",
      ),
    DATABASE_KEEPALIVE_MS: int(1_000, 3_600_000)
      .default(10_000)
      .describe(
        'TCP keep-alive on every PostgreSQL connection, pooled or listening: after this long without traffic the kernel starts probing the server, so a connection whose peer vanished without a reset (a host gone, a cut link) is closed instead of handed out or listened on forever; a query on such a link is bounded by `DATABASE_QUERY_TIMEOUT_MS` meanwhile.',
      ),
    REDIS_QUEUE_URL: z.string().url().default('redis://127.0.0.1:6379').describe('The queue Redis (BullMQ).'),
    REDIS_CACHE_URL: z
      .string()
      .url()
      .default('redis://127.0.0.1:6380')
      .describe(
        "The cache Redis (profiles, dashboards, rate-limit and fraud velocity windows): disposable, `allkeys-lru`, never the queue's.",
      ),
    BANK_URL: z
      .string()
      .url()
      .default('http://127.0.0.1:4010')
      .describe(
        "The bank the worker, recon and the operator commands call (its protocol: docs/contract.md#the-bank); faultline's mock bank (fakes/bank/) in tests and scenarios.",
      ),
    QUEUE_PREFIX: z
      .string()
      .min(1)
      .default('faultline')
      .describe('BullMQ key prefix; tests give each suite its own so that queues never mix.'),

    LOCK_TIMEOUT_MS: int(1, 60_000)
      .default(2_000)
      .describe(
        "How long a money operation waits for an account row lock before it answers 503 `lock_timeout`, and a worker's claim for a transfer row before its attempt fails and is retried.",
      ),
    PAYOUT_DEADLINE_MS: int(100, 600_000)
      .default(5_000)
      .describe(
        "A payout is written within this long of reaching the money path, or never: past it, one still waiting (in the hot-account queue, for its row) answers 503 `payout_deadline_exceeded` with nothing written, and the database refuses to write it later (it checks each payout's deadline under the row lock). One whose transaction is in the database when it passes answers 503 `database_unavailable` (unknown: retry with the same key). 5 s: two and a half `LOCK_TIMEOUT_MS`, so a payout waiting behind a busy row is never cut, while one waiting on a database that does not answer is told so before a client's own timeout (ours: 10 s) gives up on it; it must be at least `LOCK_TIMEOUT_MS`.",
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

    RELAY_BATCH: int(1, 10_000)
      .default(200)
      .describe('Outbox rows the relay claims and publishes per batch.'),
    RELAY_LEASE_MS: int(1_000, 600_000)
      .default(10_000)
      .describe(
        "How long the relay's claim of a batch of outbox rows lasts (a lease written in a statement of its own: no row lock is held while it publishes). Far above a publish, which the queue connection's 2 s command timeout bounds, so two relays rarely publish a row twice (and BullMQ keeps one job per transfer id when they do); what a relay that dies or is paused mid-publish delays its rows by, before another relay takes them.",
      ),
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

    ...sabotageVariables,
    ...securityVariables,
    ...performanceVariables,
    ...sentinelVariables,
  })
  .superRefine(orderedTimeouts);

/**
 * The bounds nest, each inside the next: a row lock's wait inside a payout's deadline and inside a
 * statement's timeout, a statement's inside the wait for its answer. Otherwise the outer bound cuts what
 * the inner one was meant to end cleanly: a statement timeout firing before the lock timeout, or the
 * client giving a connection up (an unknown outcome) before the server's own cancel (a certain one).
 */
function orderedTimeouts(
  c: {
    LOCK_TIMEOUT_MS: number;
    PAYOUT_DEADLINE_MS: number;
    DATABASE_STATEMENT_TIMEOUT_MS: number;
    DATABASE_QUERY_TIMEOUT_MS: number;
  },
  ctx: z.RefinementCtx,
): void {
  if (c.PAYOUT_DEADLINE_MS < c.LOCK_TIMEOUT_MS)
    ctx.addIssue({
      code: 'custom',
      path: ['PAYOUT_DEADLINE_MS'],
      message: `must be at least LOCK_TIMEOUT_MS (${c.LOCK_TIMEOUT_MS})`,
    });
  if (c.DATABASE_STATEMENT_TIMEOUT_MS <= c.LOCK_TIMEOUT_MS)
    ctx.addIssue({
      code: 'custom',
      path: ['DATABASE_STATEMENT_TIMEOUT_MS'],
      message: `must exceed LOCK_TIMEOUT_MS (${c.LOCK_TIMEOUT_MS})`,
    });
  if (c.DATABASE_QUERY_TIMEOUT_MS <= c.DATABASE_STATEMENT_TIMEOUT_MS)
    ctx.addIssue({
      code: 'custom',
      path: ['DATABASE_QUERY_TIMEOUT_MS'],
      message: `must exceed DATABASE_STATEMENT_TIMEOUT_MS (${c.DATABASE_STATEMENT_TIMEOUT_MS})`,
    });
}

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
