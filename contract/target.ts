import { z } from 'zod';

/**
 * The target description: what faultline needs to know to run its scenarios against a payment service
 * it did not start — where its API is, how to get test users and money, how to read its final state,
 * how to kill, pause and restart its parts, and which of its links run through faultline's proxies.
 * A JSON file validated by this schema (contract/target.schema.json is generated from it by `npm run
 * docs`); docs/targets.md explains each field, contract/target.example.json is one filled in.
 */

/**
 * A shell command, run with `sh -c` and bounded by COMMAND_TIMEOUT_MS; a non-zero exit fails it. The
 * placeholders its description names (`{name}`, `{accountId}`…) are replaced by values made only of
 * letters, digits and `.`, `_`, `:`, `-`, so a template needs no quoting around them.
 */
const command = (what: string) => z.string().trim().min(1).describe(what);

/** How long one command of the description may take before it counts as failed. */
export const COMMAND_TIMEOUT_MS = 120_000;

/** The links of a payment service that faultline's proxies can sit in (the reference's dependencies). */
export const LINKS = ['postgres', 'redis-queue', 'redis-cache', 'bank'] as const;
export type Link = (typeof LINKS)[number];

const component = z
  .strictObject({
    role: z
      .string()
      .regex(/^[a-z][a-z0-9-]*$/, 'lowercase letters, digits and dashes')
      .describe(
        'What it is: `api`, `worker`, `relay`, `recon`, `postgres`, `redis-queue`, `redis-cache`, or a role of your own. Scenarios pick their victims by role (worker-kill kills `worker`s).',
      ),
    metrics: z
      .url()
      .optional()
      .describe('Its Prometheus `/metrics` URL; scenarios read figures from it, never a check.'),
    kill: command(
      'Stops it at once, losing what it held (`kill -9`, `docker kill`, `kubectl delete pod --grace-period=0 --force`); returns once it is down.',
    ).optional(),
    terminate: command(
      'Stops it gracefully, as a deploy does (`kill -TERM`, `docker stop`); returns once it has exited.',
    ).optional(),
    pause: command(
      'Freezes it: it keeps its connections and answers nothing (`kill -STOP`, `docker pause`).',
    ).optional(),
    resume: command('Undoes pause (`kill -CONT`, `docker unpause`).').optional(),
    restart: command(
      'Starts it again after kill or terminate; returns once it is ready (its health check answers).',
    ).optional(),
  })
  .describe('One process (or container, or pod) of the target that faults may hit.');

const sqlQueries = z.strictObject({
  accounts: z
    .string()
    .min(1)
    .describe(
      '`$1`: account ids (text[]). One row per account: `id`, `balance`, `ledgerSum` (sum of its ledger entries), `fundedNet` (deposits + transfers in − transfers out).',
    ),
  transfers: z
    .string()
    .min(1)
    .describe(
      '`$1`: account ids (text[]). One row per payout of those accounts: `id`, `accountId`, `amount`, `status` (PENDING, PROCESSING, SETTLED, FAILED, MANUAL_REVIEW), `refunds` (reversal entries) and `refunded` (their sum); optional `attempts`, `reconAttempts`, `createdAt`, `completedAt`, `destination`.',
    ),
  open: z
    .string()
    .min(1)
    .optional()
    .describe(
      '`$1`: account ids (text[]). One row: `transfers` (payouts neither SETTLED nor FAILED) and `amount` (their sum). Polled while a scenario waits; without it the transfers query is.',
    ),
  keys: z
    .string()
    .min(1)
    .describe(
      '`$1`: account ids, `$2`: idempotency keys (text[] of the same length, pairwise). One row per pair the service stored: `accountId`, `key`, `status` (the stored response status); optional `resultId` (the id of the payout or transfer its request made).',
    ),
  profiles: z
    .string()
    .min(1)
    .optional()
    .describe('`$1`: user ids (text[]). One row per profile: `userId`, `version` (+1 per update).'),
});

const state = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('sql'),
      url: z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'a postgres:// URL')
        .describe('A PostgreSQL connection URL for the queries (read-only access is enough).'),
      caFile: z.string().min(1).optional().describe('A CA certificate the connection must be verified with.'),
      queries: sqlQueries,
    }),
    z.strictObject({
      kind: z.literal('http'),
      url: z
        .url()
        .describe(
          'Base URL of read endpoints (docs/contract.md#state-reads-over-http): `POST {url}/accounts`, `/transfers`, `/open`, `/keys`, `/profiles`.',
        ),
      headers: z
        .record(z.string(), z.string())
        .default({})
        .describe('Headers sent with every read, e.g. an Authorization.'),
      profiles: z.boolean().default(false).describe('Whether `/profiles` answers.'),
    }),
  ])
  .describe('How to read the final state: balances, ledger sums, payouts and stored idempotency keys.');

const recon = z
  .union([
    z.strictObject({ url: z.url().describe('POSTed to run reconciliation now; answers JSON when done.') }),
    z.strictObject({ command: command('Runs reconciliation now; may print JSON, returns when done.') }),
  ])
  .describe('How to make the target reconcile stuck payouts now (its janitor), when it has one.');

export const targetDescriptionSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: z.string().trim().min(1).describe('A name for reports: which target ran.'),
    sabotage: z
      .string()
      .min(1)
      .optional()
      .describe(
        'The deliberate bug this build of the target carries (`npm run up -- --sabotage NAME`): `selftest --target` expects the checks listed for it to fail.',
      ),
    api: z.strictObject({
      urls: z
        .array(z.url())
        .min(1)
        .describe(
          'Base URLs of the payment API (docs/contract.md); the first serves the workload, all are listed when a scenario wants several processes.',
        ),
    }),
    bank: z
      .strictObject({
        url: z
          .url()
          .describe("faultline's mock bank, which the target is configured to charge (fakes/bank)."),
        metrics: z
          .url()
          .describe("The bank's `/metrics` URL (its ops port): scenarios count the faults it fired there."),
        signingKeyFile: z
          .string()
          .min(1)
          .optional()
          .describe('A file holding the key the bank wants requests signed with (BANK_SIGNING_KEY_FILE).'),
        caFile: z
          .string()
          .min(1)
          .optional()
          .describe('The CA certificate an `https://` bank is verified with.'),
      })
      .optional(),
    users: z
      .strictObject({
        create: command(
          'Creates a test user named `{name}` and prints `{"userId": …, "apiKey": …}` (one JSON object) on stdout.',
        ),
      })
      .optional(),
    funding: z
      .union([
        z.strictObject({
          operatorKey: z
            .string()
            .min(1)
            .describe('An API key that may deposit into any account (POST /v1/accounts/{id}/deposits).'),
        }),
        z.strictObject({
          command: command('Puts `{amount}` minor units of `{currency}` into account `{accountId}`.'),
        }),
      ])
      .optional()
      .describe('How test accounts get their money.'),
    state: state.optional(),
    recon: recon.optional(),
    proxies: z
      .strictObject({
        url: z
          .url()
          .describe('The HTTP API of a toxiproxy (or our compatible server) the target dials through.'),
        links: z
          .partialRecord(z.enum(LINKS), z.string().min(1))
          .describe('For each link that runs through it, the name of its proxy.'),
      })
      .optional(),
    components: z
      .record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/), component)
      .default({})
      .describe('The target’s parts that faults may hit, by name.'),
  })
  .describe('A payment service faultline runs its scenarios against (docs/targets.md).');

export type TargetDescription = z.infer<typeof targetDescriptionSchema>;
export type TargetComponent = z.infer<typeof component>;
export type SqlState = Extract<TargetDescription['state'], { kind: 'sql' }>;
export type HttpState = Extract<TargetDescription['state'], { kind: 'http' }>;
export type ComponentAction = 'kill' | 'terminate' | 'pause' | 'resume' | 'restart';

/** The JSON Schema of a description (contract/target.schema.json), for editors and other tools. */
export function targetJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(targetDescriptionSchema, { io: 'input', target: 'draft-2020-12' });
}
