import { z } from 'zod';
import { type PiiKey, parsePiiKeys } from './pii/pii-cipher.ts';

/**
 * The security part of the service configuration (merged into config.ts's schema): keys, the ops
 * listener, the fraud rules, TLS. Every secret here can also come from a file: `<NAME>_FILE`
 * (loadConfig reads it), so a secret need never sit in an environment listing.
 */

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

export const securityVariables = {
  /**
   * Keys that seal email and phone at rest: `<id>:<32 bytes base64>[,…]`, the first seals, all open.
   * Required by the api role and by `npm run ops -- pii`; nothing else reads personal data.
   */
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
    }),

  /** Interface of the operator listener (/metrics, /readyz detail, /recon/run): loopback unless told. */
  OPS_HOST: z.string().default('127.0.0.1'),
  /** Port of the operator listener; 0 picks a free one (it is logged). */
  OPS_PORT: int(0, 65535).default(9464),
  /**
   * When set, the operator endpoints also need `Authorization: Bearer <token>`: for an ops listener
   * that must face a network (a container's), where loopback cannot protect it.
   */
  OPS_TOKEN: z.string().min(16, 'at least 16 characters').optional(),

  /**
   * Fraud velocity window per user and currency. A payout that would make the user's payouts in the
   * window more than FRAUD_MAX_PAYOUTS, or their sum more than FRAUD_MAX_AMOUNT, is held for review.
   * An hour: long enough to catch a drained account paid out in bursts, short enough that a busy
   * honest user is not held all day.
   */
  FRAUD_WINDOW_MS: int(1_000, 7 * 86_400_000).default(3_600_000),
  /** 20 an hour: a person pays out a few times a day; a script emptying stolen accounts does not stop at 20. */
  FRAUD_MAX_PAYOUTS: int(1).default(20),
  /**
   * Sum of payouts per window in minor units of a 2-decimal currency (scaled per currency exponent, like
   * MAX_AMOUNT): 1,000,000 = 10,000.00 an hour.
   */
  FRAUD_MAX_AMOUNT: int(1, 1e15).default(1_000_000),
  /** A payout above this many times the median of the user's recent payouts is held; 0 switches it off. */
  FRAUD_ANOMALY_FACTOR: z.coerce.number().min(0).max(1e9).default(10),
  /** The anomaly rule needs this many earlier payouts before it judges: a new user has no median yet. */
  FRAUD_ANOMALY_MIN_SAMPLES: int(1, 1_000).default(5),

  /** CA certificate for TLS links to Redis (`rediss://` URLs); Postgres takes `sslrootcert` in its URL. */
  TLS_CA_FILE: z.string().min(1).optional(),
  /**
   * HMAC-SHA256 key shared with the bank: the service signs every bank request with it, and a bank
   * that has it refuses unsigned or badly signed requests (401).
   */
  BANK_SIGNING_KEY: z.string().min(32, 'at least 32 characters').optional(),
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
