import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newPiiKey } from '../service/pii/pii-cipher.ts';

/** The secrets of one stack, each in a file of its own (mode 0600) that the roles read via `*_FILE`. */
export interface StackSecrets {
  dir: string;
  /** PII_KEYS_FILE: the key that seals email and phone, new for every stack. */
  piiKeysFile: string;
}

/** Creates `<stack dir>/secrets` with a fresh PII key, unless the stack already has one (a restart). */
export function stackSecrets(stackDir: string): StackSecrets {
  const dir = join(stackDir, 'secrets');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const piiKeysFile = join(dir, 'pii-keys');
  if (!existsSync(piiKeysFile)) writeFileSync(piiKeysFile, `${newPiiKey('k1')}\n`, { mode: 0o600 });
  return { dir, piiKeysFile };
}
