import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { profilePatch } from '../profiles/profile.ts';
import { isSealed, keyIdOf, newPiiKey, PiiCipher, parsePiiKeys } from './pii-cipher.ts';

const k1 = parsePiiKeys(newPiiKey('k1'));
const k2 = parsePiiKeys(newPiiKey('k2'));
const ann = { userId: '6f1c3a52-0b5e-4a39-9d0e-3f2a1c0b9e11', field: 'email' as const };

describe('PiiCipher', () => {
  it('seals with the current key, names the key, and opens what it sealed', () => {
    const cipher = new PiiCipher(k1);
    const sealed = cipher.seal('ann@example.com', ann);
    expect(sealed).toMatch(/^pii1\.k1\.[\w-]{16}\.[\w-]+$/);
    expect(sealed).not.toContain('ann');
    expect(keyIdOf(sealed)).toBe('k1');
    expect(cipher.open(sealed, ann)).toBe('ann@example.com');
    expect(cipher.seal('ann@example.com', ann)).not.toBe(sealed); // a fresh IV each time
  });

  it('opens values of every configured key, and seals with the first', () => {
    const old = new PiiCipher(k1).seal('+4930123456', { ...ann, field: 'phone' });
    const rotated = new PiiCipher([...k2, ...k1]);
    expect(rotated.open(old, { ...ann, field: 'phone' })).toBe('+4930123456');
    expect(rotated.isCurrent(old)).toBe(false);
    expect(keyIdOf(rotated.seal('x', ann))).toBe('k2');
    expect(() => new PiiCipher(k2).open(old, { ...ann, field: 'phone' })).toThrow(
      /PII key "k1" is not configured/,
    );
  });

  it('refuses a value moved to another user or field, or altered', () => {
    const cipher = new PiiCipher(k1);
    const sealed = cipher.seal('ann@example.com', ann);
    expect(() => cipher.open(sealed, { ...ann, userId: '00000000-0000-4000-8000-000000000000' })).toThrow();
    expect(() => cipher.open(sealed, { ...ann, field: 'phone' })).toThrow();
    const flipped = `${sealed.slice(0, -2)}${sealed.endsWith('A') ? 'B' : 'A'}${sealed.slice(-1)}`;
    expect(() => cipher.open(flipped, ann)).toThrow();
  });

  it('passes plain values from before encryption through until the rotation seals them', () => {
    const cipher = new PiiCipher(k1);
    expect(isSealed('old@example.com')).toBe(false);
    expect(cipher.open('old@example.com', ann)).toBe('old@example.com');
    expect(keyIdOf('old@example.com')).toBeNull();
  });

  it('takes a plain value shaped like an envelope for what it is (an email has an @, a sealed value none)', () => {
    const cipher = new PiiCipher(k1);
    for (const plain of ['pii1.k1.x@y.z', 'pii1.k1.abc.def@example.com', 'pii1.k1.AAAAAAAAAAAAAAAA.x@y.z']) {
      expect(isSealed(plain), plain).toBe(false);
      expect(keyIdOf(plain), plain).toBeNull();
      expect(cipher.open(plain, ann), plain).toBe(plain);
      expect(cipher.isCurrent(plain), plain).toBe(false);
    }
  });

  it('recognises every value it seals, and no value the profile validation accepts', () => {
    const cipher = new PiiCipher(k1);
    const accepted = (plain: string) =>
      profilePatch.safeParse({ email: plain }).success || profilePatch.safeParse({ phone: plain }).success;
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (plain) => {
        expect(isSealed(cipher.seal(plain, ann))).toBe(true);
        if (accepted(plain)) expect(isSealed(plain)).toBe(false);
      }),
    );
    fc.assert(
      fc.property(fc.emailAddress(), (plain) => {
        expect(isSealed(plain)).toBe(false);
      }),
    );
  });

  it('parses PII_KEYS strictly', () => {
    expect(parsePiiKeys(`${newPiiKey('a')}, ${newPiiKey('b')}`).map((k) => k.id)).toEqual(['a', 'b']);
    expect(() => parsePiiKeys('k1:c2hvcnQ=')).toThrow(/32 bytes/);
    expect(() => parsePiiKeys('no-colon')).toThrow(/<id>:<base64 key>/);
    expect(() => parsePiiKeys(`${newPiiKey('k')},${newPiiKey('k')}`)).toThrow(/twice/);
    expect(() => parsePiiKeys('')).toThrow(/no PII key/);
  });
});
