import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newPiiKey } from '../service/pii/pii-cipher.ts';

/** The secrets of one stack, each in a file of its own (mode 0600) that the roles read via `*_FILE`. */
export interface StackSecrets {
  dir: string;
  /** PII_KEYS_FILE: the key that seals email and phone, new for every stack. */
  piiKeysFile: string;
  /** BANK_SIGNING_KEY_FILE (a --tls stack): the HMAC key the bank checks on every request. */
  bankSigningKeyFile?: string;
}

/**
 * Creates `<stack dir>/secrets` with a fresh PII key and, for a `--tls` stack, a bank signing key,
 * keeping any that are already there (a stack started again on its directory).
 */
export function stackSecrets(stackDir: string, opts: { bankSigning: boolean }): StackSecrets {
  const dir = join(stackDir, 'secrets');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const write = (name: string, value: () => string) => {
    const file = join(dir, name);
    if (!existsSync(file)) writeFileSync(file, `${value()}\n`, { mode: 0o600 });
    return file;
  };
  const piiKeysFile = write('pii-keys', () => newPiiKey('k1'));
  if (!opts.bankSigning) return { dir, piiKeysFile };
  const bankSigningKeyFile = write('bank-signing-key', () => randomBytes(32).toString('base64url'));
  return { dir, piiKeysFile, bankSigningKeyFile };
}
