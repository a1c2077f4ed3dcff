import { readFileSync } from 'node:fs';
import { z } from 'zod';

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

/** The mock bank's settings, parsed once from its environment at start-up (fakes/bank/main.ts). */
const schema = z.object({
  HOST: z.string().default('127.0.0.1').describe('Interface the bank listens on.'),
  PORT: int(0, 65535).default(4010).describe("The bank's port; 0 picks a free one (it is logged)."),
  OPS_HOST: z
    .string()
    .default('127.0.0.1')
    .describe('Interface of its ops listener (`/healthz`, `/metrics`).'),
  OPS_PORT: int(0, 65535).default(0).describe('Port of its ops listener; 0 picks a free one.'),
  OPS_TOKEN: z
    .string()
    .min(16, 'at least 16 characters')
    .optional()
    .describe('When set, `/metrics` needs `Authorization: Bearer <token>`.'),
  BANK_DATA_DIR: z
    .string()
    .min(1)
    .default('.faultline/bank')
    .describe("Directory of the bank's own fsync'ed ledger."),
  BANK_SEED: int(0).default(1).describe('Default seed of the fault dice, so that a fault schedule repeats.'),
  BANK_SIGNING_KEY: z
    .string()
    .min(32, 'at least 32 characters')
    .optional()
    .describe(
      'When set, requests not signed with this HMAC key are refused (401); also as BANK_SIGNING_KEY_FILE.',
    ),
  BANK_TLS_CERT_FILE: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Its certificate (PEM). With BANK_TLS_KEY_FILE, the bank serves HTTPS only, so amounts and destinations cannot be read on the wire and its answers cannot be forged; clients trust it through their CA.',
    ),
  BANK_TLS_KEY_FILE: z
    .string()
    .min(1)
    .optional()
    .describe("The private key (PEM) of BANK_TLS_CERT_FILE's certificate."),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

export type BankConfig = z.infer<typeof schema>;

/** Parses the environment; throws a message naming each bad variable. */
export function loadBankConfig(env: NodeJS.ProcessEnv = process.env): BankConfig {
  const input = { ...env };
  const keyFile = env.BANK_SIGNING_KEY_FILE;
  if (keyFile !== undefined) {
    if (env.BANK_SIGNING_KEY !== undefined)
      throw new Error(
        'invalid configuration:\n  BANK_SIGNING_KEY_FILE: set BANK_SIGNING_KEY or its _FILE, not both',
      );
    try {
      input.BANK_SIGNING_KEY = readFileSync(keyFile, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new Error(
        `invalid configuration:\n  BANK_SIGNING_KEY_FILE: cannot read ${keyFile} (${(err as NodeJS.ErrnoException).code ?? err})`,
      );
    }
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  if (Boolean(parsed.data.BANK_TLS_CERT_FILE) !== Boolean(parsed.data.BANK_TLS_KEY_FILE))
    throw new Error(
      'invalid configuration:\n  BANK_TLS_CERT_FILE and BANK_TLS_KEY_FILE go together: set both for HTTPS, or neither',
    );
  return parsed.data;
}
