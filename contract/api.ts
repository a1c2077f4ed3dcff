import { z } from 'zod';
import { chargeSchema } from './bank.ts';

/**
 * The payment API a target must serve, and the bank's API it must call, as zod schemas and the
 * OpenAPI 3.1 documents built from them (contract/api.openapi.json, contract/bank.openapi.json,
 * written by `npm run docs`). docs/contract.md says the same in prose; contract/test/ holds the
 * reference service's and the mock bank's real answers against the documents on disk. Objects list
 * what an answer has at least: a target may add fields.
 */

const uuid = z.uuid().describe('A UUID, in any letter case.');
const instant = z.iso.datetime({ offset: true });
const amount = z.int().positive().describe('Minor units of the currency.');
const currency = z
  .string()
  .regex(/^[A-Z]{3}$/)
  .describe('ISO 4217, with minor units.');

export const PAYOUT_STATUSES = ['PENDING', 'PROCESSING', 'SETTLED', 'FAILED', 'MANUAL_REVIEW'] as const;

/** A payout as accepted: PENDING or MANUAL_REVIEW; later PROCESSING, then SETTLED or FAILED. */
const payout = z
  .object({
    id: uuid,
    accountId: uuid,
    amount,
    currency,
    destination: z.string(),
    status: z.enum(PAYOUT_STATUSES),
    createdAt: instant,
  })
  .describe(
    'A payout as accepted: PENDING (debited, on its way to the bank) or MANUAL_REVIEW (held by the fraud rules); later PROCESSING, then SETTLED or FAILED (refunded).',
  );

const schemas = {
  Error: z
    .object({
      code: z.string().describe('Stable and machine-readable (docs/contract.md#errors).'),
      message: z.string(),
      details: z.unknown().optional().describe('400s: each bad field.'),
      requestId: z.string().optional().describe('500s: where to look in the logs.'),
    })
    .describe('Every refusal.'),
  Account: z.object({ id: uuid, currency, balance: z.int().nonnegative(), createdAt: instant }),
  Deposit: z.object({
    id: uuid,
    accountId: uuid,
    amount,
    currency,
    balance: z.int().nonnegative().describe('The balance after it.'),
    madeBy: uuid.describe('The operator.'),
    createdAt: instant,
  }),
  Payout: payout,
  PayoutState: payout.extend({
    attempts: z.int().nonnegative(),
    lastError: z.string().nullable(),
    updatedAt: instant,
    completedAt: instant.nullable(),
  }),
  Transfer: z.object({
    id: uuid,
    fromAccountId: uuid,
    toAccountId: uuid,
    amount,
    currency,
    createdAt: instant,
  }),
  Profile: z.object({
    userId: uuid,
    displayName: z.string(),
    bio: z.string().nullable(),
    locale: z.string(),
    timezone: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    dashboardLayout: z.array(z.string()),
    version: z.int().nonnegative().describe('+1 on every update: how an unknown update is resolved.'),
    updatedAt: instant,
  }),
  PublicProfile: z.object({
    userId: uuid,
    displayName: z.string(),
    bio: z.string().nullable(),
    locale: z.string(),
    version: z.int().nonnegative(),
    updatedAt: instant,
  }),
  Health: z.object({ status: z.literal('ok') }),
  Readiness: z
    .object({ status: z.enum(['ready', 'degraded', 'unready']) })
    .describe('`degraded` (still 200): payouts need only the database.'),
};

const bankSchemas = {
  Charge: chargeSchema.describe(
    'One record per key, written once: charged, declined (no money moved) or voided (a tombstone forbidding any charge with that key).',
  ),
  ChargeAnswer: z.object({ charge: chargeSchema }),
  BankError: z
    .object({ code: z.string(), message: z.string(), charge: chargeSchema.optional() })
    .describe('A refusal; declined, charge_voided and already_charged carry the key’s record.'),
};

export type ApiSchemaName = keyof typeof schemas;

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'output' });
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string, description: string, headers?: Record<string, unknown>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema: ref(name) } },
});
const error = (description: string) => json('Error', description);
const replayed = {
  'Idempotent-Replayed': {
    description: '`true` when this is the stored answer of an earlier request with the same key.',
    schema: { type: 'string', enum: ['true'] },
  },
};
const limited = {
  description: '`rate_limited`: nothing done.',
  headers: {
    'Retry-After': { description: 'Seconds until a retry may be admitted.', schema: { type: 'string' } },
    'RateLimit-Limit': { schema: { type: 'string' } },
    'RateLimit-Remaining': { schema: { type: 'string' } },
    'RateLimit-Reset': { schema: { type: 'string' } },
  },
  content: { 'application/json': { schema: ref('Error') } },
};
const unavailable = {
  description:
    '`lock_timeout`, `conflict_retry_exhausted`, `database_unavailable`: nothing done; retry with the same key after Retry-After.',
  headers: { 'Retry-After': { schema: { type: 'string' } } },
  content: { 'application/json': { schema: ref('Error') } },
};
const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  required: true,
  description:
    'Scoped to the user, kept 24 hours: the same key and body answer the stored first response; another body 422 `idempotency_key_reused`; while the first is in its transaction 409 `idempotency_key_in_flight`.',
  schema: { type: 'string', minLength: 1, maxLength: 200 },
};
const pathId = (name: string) => ({
  name,
  in: 'path',
  required: true,
  schema: { type: 'string', format: 'uuid' },
});
const body = (properties: Record<string, unknown>, required: string[]) => ({
  required: true,
  content: {
    'application/json': { schema: { type: 'object', properties, required, additionalProperties: false } },
  },
});
const amountField = { type: 'integer', minimum: 1, description: 'Minor units of the currency.' };
const currencyField = { type: 'string', pattern: '^[A-Z]{3}$' };
const common = {
  '400': error(
    '`invalid_request` (with `details`), `idempotency_key_missing`, `invalid_unicode`: nothing done.',
  ),
  '401': error('`unauthorized`.'),
};

/** The payment API (contract/api.openapi.json). */
export function apiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'faultline payment API',
      version: '1',
      description:
        'What a payment service must serve for faultline to run its scenarios against it (docs/contract.md). Amounts are integers in minor units; every money-moving request carries an Idempotency-Key.',
    },
    security: [{ bearer: [] }],
    paths: {
      '/v1/accounts': {
        post: {
          summary: 'Open an account of the caller’s',
          requestBody: body({ currency: currencyField }, ['currency']),
          responses: { '201': json('Account', 'The account, balance 0.'), ...common },
        },
      },
      '/v1/accounts/{id}': {
        get: {
          summary: 'An account with its live balance',
          parameters: [pathId('id')],
          responses: {
            '200': json('Account', 'Never cached.'),
            ...common,
            '403': error('`forbidden`: not the caller’s.'),
            '404': error('`account_not_found`.'),
            '429': limited,
          },
        },
      },
      '/v1/accounts/{id}/deposits': {
        post: {
          summary: 'Create money in an account (operator keys only)',
          parameters: [pathId('id'), idempotencyKey],
          requestBody: body({ amount: amountField, currency: currencyField }, ['amount', 'currency']),
          responses: {
            '201': json('Deposit', 'Deposited.', replayed),
            ...common,
            '403': error('`operator_only`.'),
            '404': error('`account_not_found`.'),
            '422': error('`currency_mismatch`, `idempotency_key_reused`.'),
          },
        },
      },
      '/v1/payouts': {
        post: {
          summary: 'Debit an account and pay out to a bank destination, once per key',
          parameters: [idempotencyKey],
          requestBody: body(
            {
              accountId: { type: 'string', format: 'uuid' },
              amount: amountField,
              currency: currencyField,
              destination: { type: 'string', minLength: 1, maxLength: 100 },
            },
            ['accountId', 'amount', 'currency', 'destination'],
          ),
          responses: {
            '201': json(
              'Payout',
              'Debited and committed with its outbox row: it will reach the bank once.',
              replayed,
            ),
            ...common,
            '403': error('`forbidden`: not the caller’s account.'),
            '404': error('`account_not_found`.'),
            '409': error('`idempotency_key_in_flight`: nothing done yet; retry.'),
            '422': error(
              '`insufficient_funds` (stored against the key like a success), `currency_mismatch`, `idempotency_key_reused`.',
            ),
            '429': limited,
            '503': unavailable,
          },
        },
      },
      '/v1/payouts/{id}': {
        get: {
          summary: 'A payout’s current state',
          parameters: [pathId('id')],
          responses: {
            '200': json('PayoutState', 'Its status, attempts and last error.'),
            ...common,
            '403': error('`forbidden`.'),
            '404': error('`payout_not_found`.'),
          },
        },
      },
      '/v1/transfers': {
        post: {
          summary: 'Move money between two accounts, once per key',
          parameters: [idempotencyKey],
          requestBody: body(
            {
              fromAccountId: { type: 'string', format: 'uuid' },
              toAccountId: { type: 'string', format: 'uuid' },
              amount: amountField,
              currency: currencyField,
            },
            ['fromAccountId', 'toAccountId', 'amount', 'currency'],
          ),
          responses: {
            '201': json('Transfer', 'Both balances and ledger entries in one commit.', replayed),
            ...common,
            '403': error('`forbidden`.'),
            '404': error('`account_not_found`.'),
            '409': error('`idempotency_key_in_flight`.'),
            '422': error('`insufficient_funds`, `currency_mismatch`, `idempotency_key_reused`.'),
            '503': unavailable,
          },
        },
      },
      '/v1/profile': {
        get: {
          summary: 'The caller’s profile',
          responses: { '200': json('Profile', 'May be served from a cache.'), ...common, '429': limited },
        },
        patch: {
          summary: 'Update the caller’s profile (at least one field)',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  minProperties: 1,
                  properties: {
                    displayName: { type: 'string' },
                    bio: { type: ['string', 'null'] },
                    locale: { type: 'string' },
                    timezone: { type: 'string' },
                    email: { type: ['string', 'null'] },
                    phone: { type: ['string', 'null'] },
                    dashboardLayout: { type: 'array', items: { type: 'string' } },
                  },
                  additionalProperties: false,
                },
              },
            },
          },
          responses: {
            '200': json('Profile', 'Written through: a read after this answer never sees the older version.'),
            ...common,
            '429': limited,
          },
        },
      },
      '/v1/profiles/{userId}': {
        get: {
          summary: 'Anyone’s public profile',
          parameters: [pathId('userId')],
          responses: {
            '200': json('PublicProfile', 'May be served from a cache.'),
            ...common,
            '404': error('`profile_not_found`.'),
            '429': limited,
          },
        },
      },
      '/healthz': {
        get: {
          summary: 'The process is alive',
          security: [],
          responses: { '200': json('Health', 'Alive.') },
        },
      },
      '/readyz': {
        get: {
          summary: 'Whether to send it traffic',
          security: [],
          responses: {
            '200': json('Readiness', '`ready`, or `degraded` while only its queue is away.'),
            '503': json('Readiness', '`unready`: its database is away.'),
          },
        },
      },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key.' } },
      schemas: Object.fromEntries(Object.entries(schemas).map(([name, s]) => [name, jsonSchema(s)])),
    },
  };
}

/** The bank's payer API, which a target calls (contract/bank.openapi.json); the mock bank serves it. */
export function bankDocument(): Record<string, unknown> {
  const key = {
    name: 'key',
    in: 'path',
    required: true,
    description: 'The Idempotency-Key the charge was (or would be) made with: the payout’s id.',
    schema: { type: 'string' },
  };
  const refusal = (description: string) => json('BankError', description);
  return {
    openapi: '3.1.0',
    info: {
      title: 'faultline mock bank: the payer API',
      version: '1',
      description:
        'What a payment service calls to pay out (docs/contract.md#the-bank). A bank with a shared key wants every request signed (`X-Faultline-Signature`, contract/bank-signature.ts); a 5xx, a 504, a timeout or a dropped connection means the outcome is unknown: look the key up, or void it.',
    },
    paths: {
      '/v1/charges': {
        post: {
          summary: 'Charge once per key',
          parameters: [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              description: 'The payout’s id: a key charges at most once (a signed bank requires one).',
              schema: { type: 'string', minLength: 1, maxLength: 200 },
            },
          ],
          requestBody: body(
            {
              amount: amountField,
              currency: currencyField,
              reference: { type: 'string', minLength: 1, maxLength: 100, description: 'The payout’s id.' },
              destination: { type: ['string', 'null'], maxLength: 100 },
            },
            ['amount', 'currency', 'reference'],
          ),
          responses: {
            '201': json('ChargeAnswer', 'Charged.'),
            '200': json('ChargeAnswer', 'Charged before, with this key: the first result again.', replayed),
            '400': refusal('`invalid_request`, `idempotency_key_missing`.'),
            '401': refusal('`signature_invalid`.'),
            '402': refusal('`declined`, with the declined record.'),
            '409': refusal('`charge_voided`: the key was voided; it can never charge.'),
            '422': refusal('`idempotency_key_reused`: the key was used with another request.'),
            '503': refusal('`bank_unavailable`: nothing charged.'),
            '504': refusal('`bank_timeout`: nothing charged.'),
          },
        },
      },
      '/v1/charges/{key}': {
        get: {
          summary: 'The record under a key',
          parameters: [key],
          responses: {
            '200': json('ChargeAnswer', 'Charged, declined or voided.'),
            '404': refusal('`not_found`: the bank never saw the key.'),
          },
        },
      },
      '/v1/charges/{key}/void': {
        post: {
          summary: 'Forbid any later charge with a key',
          parameters: [key],
          responses: {
            '200': json('ChargeAnswer', 'The key’s final record: voided (a tombstone) or declined.'),
            '409': refusal('`already_charged`, with the charge: it cannot be voided.'),
          },
        },
      },
    },
    components: {
      schemas: Object.fromEntries(Object.entries(bankSchemas).map(([name, s]) => [name, jsonSchema(s)])),
    },
  };
}
