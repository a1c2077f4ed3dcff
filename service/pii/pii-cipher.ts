import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Personal data at rest (email, phone): AES-256-GCM from node:crypto, one envelope per value,
 *   pii1.<key id>.<iv, base64url>.<ciphertext and 16-byte tag, base64url>
 * so every value names the key that sealed it, and keys can rotate one row at a time. The additional
 * authenticated data binds a value to its user and field: a ciphertext copied into another row or
 * column does not open.
 */

/** A sealed value as stored in Postgres and in the cache; opening it needs the key it names. */
export type Sealed = string & { readonly __sealed: unique symbol };

const VERSION = 'pii1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

export interface PiiKey {
  id: string;
  key: Buffer;
}

/**
 * Parses `PII_KEYS`: comma-separated `<id>:<32 bytes, base64>`. The first key seals new values; every
 * key opens. To rotate: put a new key first, run `npm run ops -- pii rotate`, then drop the old one.
 */
export function parsePiiKeys(text: string): PiiKey[] {
  const keys = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry, i) => {
      const [id, b64, ...rest] = entry.split(':');
      if (!id || !b64 || rest.length > 0 || !KEY_ID.test(id))
        throw new Error(`PII key ${i + 1}: expected <id>:<base64 key>, the id 1-32 of [A-Za-z0-9_-]`);
      const key = Buffer.from(b64, 'base64');
      if (key.length !== KEY_BYTES)
        throw new Error(`PII key "${id}": must be ${KEY_BYTES} bytes (base64), got ${key.length}`);
      return { id, key };
    });
  if (keys.length === 0) throw new Error('no PII key: expected <id>:<base64 key>[,<id>:<base64 key>…]');
  const ids = keys.map((k) => k.id);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice) throw new Error(`PII key id "${twice}" appears twice`);
  return keys;
}

/** What is wrong with a key id, or null. */
export function piiKeyIdProblem(id: string): string | null {
  return KEY_ID.test(id) ? null : `a key id is 1-32 of [A-Za-z0-9_-], not "${id}"`;
}

/** A fresh key in PII_KEYS syntax, e.g. for a stack or for `npm run ops -- pii new-key`. */
export function newPiiKey(id: string): string {
  const problem = piiKeyIdProblem(id);
  if (problem) throw new Error(problem);
  return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

/** The field a value belongs to: part of its additional authenticated data. */
export type PiiField = 'email' | 'phone';

export class PiiCipher {
  readonly #keys: Map<string, Buffer>;
  /** The key that seals new values. */
  readonly currentKeyId: string;

  constructor(keys: PiiKey[]) {
    const first = keys[0];
    if (!first) throw new Error('PiiCipher needs at least one key');
    this.#keys = new Map(keys.map((k) => [k.id, k.key]));
    this.currentKeyId = first.id;
  }

  seal(plain: string, context: { userId: string; field: PiiField }): Sealed {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key(this.currentKeyId), iv);
    cipher.setAAD(aad(context));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${VERSION}.${this.currentKeyId}.${iv.toString('base64url')}.${body.toString('base64url')}` as Sealed;
  }

  /**
   * The plain value. A value without the envelope is one written before encryption (migration 0008) and
   * is returned as it is until the rotation seals it. Throws when the envelope was altered, was moved
   * from another user or field, or names a key this process does not have.
   */
  open(stored: string, context: { userId: string; field: PiiField }): string {
    if (!isSealed(stored)) return stored;
    const [, keyId, ivText, bodyText] = stored.split('.') as [string, string, string, string];
    const iv = Buffer.from(ivText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (iv.length !== IV_BYTES || body.length < TAG_BYTES) throw new Error('a sealed PII value is malformed');
    const decipher = createDecipheriv('aes-256-gcm', this.#key(keyId), iv);
    decipher.setAAD(aad(context));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    const plain = Buffer.concat([
      decipher.update(body.subarray(0, body.length - TAG_BYTES)),
      decipher.final(),
    ]);
    return plain.toString('utf8');
  }

  /** True when `stored` is sealed with the current key (nothing for the rotation to do). */
  isCurrent(stored: string): boolean {
    return keyIdOf(stored) === this.currentKeyId;
  }

  #key(id: string): Buffer {
    const key = this.#keys.get(id);
    if (!key) throw new Error(`PII key "${id}" is not configured (PII_KEYS); it sealed a stored value`);
    return key;
  }
}

const aad = (c: { userId: string; field: PiiField }) => Buffer.from(`${c.userId}/${c.field}`, 'utf8');

/**
 * The envelope's exact grammar: the version, a key id, a 12-byte IV (16 base64url characters) and at
 * least the 16-byte tag (22 characters). No value the profile validation accepts can match it — an email
 * has an @, a phone is + and digits — so a plain value from before encryption is never taken for a
 * sealed one. Written for both JavaScript and PostgreSQL's regular expressions: the rotation's SQL is
 * given this same source.
 */
export const SEALED_PATTERN = `^${VERSION}\\.[A-Za-z0-9_-]{1,32}\\.[A-Za-z0-9_-]{16}\\.[A-Za-z0-9_-]{22,}$`;
const SEALED = new RegExp(SEALED_PATTERN);

export function isSealed(stored: string): boolean {
  return SEALED.test(stored);
}

/** The key id a stored value names; null for a value written before encryption. */
export function keyIdOf(stored: string): string | null {
  return isSealed(stored) ? (stored.split('.')[1] ?? null) : null;
}
