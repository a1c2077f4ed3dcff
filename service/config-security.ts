import { z } from 'zod';
import { type PiiKey, parsePiiKeys } from './pii/pii-cipher.ts';

/**
 * The security part of the service configuration (merged into config.ts's schema): keys, the ops
 * listener, the fraud rules, TLS. Every secret here can also come from a file: `<NAME>_FILE`
 * (loadConfig reads it), so a secret need never sit in an environment listing.
 */

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

export const securityVariables = {
  PII_KEYS: z
    .string()
    .optional()
    .transform((v, ctx): PiiKey[] | undefined => {
      if (v === undefined || v.trim() === '') return undefined;
      try {
        return parsePiiKeys(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    })
    .meta({
      description:
        'Keys that seal email and phone at rest; the first seals, all of them open. Required by the api role and by `npm run ops -- pii`; nothing else reads personal data.',
      allowed: '`<id>:<32 bytes base64>[,…]`',
    }),

  OPS_HOST: z
    .string()
    .default('127.0.0.1')
    .describe(
      'Interface of the ops listener (`/healthz`, `/metrics`, `/readyz` detail, `/recon/run`): loopback unless told; off loopback, set `OPS_TOKEN` too.',
    ),
  OPS_PORT: int(0, 65535)
    .default(9464)
    .describe('Port of the ops listener; 0 picks a free one (it is logged).'),
  OPS_TOKEN: z
    .string()
    .min(16, 'at least 16 characters')
    .optional()
    .describe(
      "When set, every ops route but `/healthz` needs `Authorization: Bearer <token>` (compared in constant time): for an ops listener that must face a network (a container's), where loopback cannot protect it.",
    ),

  FRAUD_WINDOW_MS: int(1_000, 7 * 86_400_000)
    .default(3_600_000)
    .describe(
      'Fraud velocity window per user and currency. An hour: long enough to catch a drained account paid out in bursts, short enough that a busy honest user is not held all day.',
    ),
  FRAUD_MAX_PAYOUTS: int(1)
    .default(20)
    .describe(
      'Payouts in a window before the next is held (`velocity_count`). 20 an hour: a person pays out a few times a day; a script emptying stolen accounts does not stop at 20.',
    ),
  FRAUD_MAX_AMOUNT: int(1, 1e15)
    .default(1_000_000)
    .describe(
      'Sum of payouts in a window before the next is held (`velocity_amount`), in minor units of a 2-decimal currency, scaled per currency exponent like `MAX_AMOUNT`: 1,000,000 = 10,000.00 an hour.',
    ),
  FRAUD_ANOMALY_FACTOR: z.coerce
    .number()
    .min(0)
    .max(1e9)
    .default(10)
    .describe(
      "A payout above this many times the median of the user's last 20 payouts is held (`amount_anomaly`); 0 switches the rule off.",
    ),
  FRAUD_ANOMALY_MIN_SAMPLES: int(1, 1_000)
    .default(5)
    .describe('Earlier payouts the anomaly rule needs before it judges: a new user has no median yet.'),

  TLS_CA_FILE: z
    .string()
    .min(1)
    .optional()
    .describe(
      'CA certificate for TLS links to Redis (`rediss://` URLs) and to an `https://` `BANK_URL`; PostgreSQL takes `sslrootcert` in `DATABASE_URL`.',
    ),
  BANK_SIGNING_KEY: z
    .string()
    .min(32, 'at least 32 characters')
    .optional()
    .describe(
      'HMAC-SHA256 key shared by the bank and its clients: set, the service signs every bank request with it and the bank refuses unsigned or badly signed ones (401).',
    ),
};

/** The api role's cipher keys, or a message naming the variable to set. */
export function requirePiiKeys(config: { PII_KEYS?: PiiKey[] }): PiiKey[] {
  if (!config.PII_KEYS)
    throw new Error(
      'PII_KEYS (or PII_KEYS_FILE) is required: email and phone are stored encrypted. ' +
        'Make a key with `npm run ops -- pii new-key k1` and set PII_KEYS=<that line>',
    );
  return config.PII_KEYS;
}
