// The PII key rotation against a real database: every value ends under the new key, still opens to
// what it was, each re-sealed user's cache entries are queued for purging, and progress is reported.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../accounts/accounts-repo.ts';
import { opsForTest } from '../ops/test-ops.ts';
import { newPiiKey, PiiCipher, parsePiiKeys } from '../pii/pii-cipher.ts';
import { keyCounts } from '../pii/rotation.ts';
import { type TestEnv, testEnv } from './harness.ts';

let t: TestEnv;
beforeAll(async () => {
  t = await testEnv();
});
afterAll(async () => {
  await t.close();
});

/** `npm run ops -- pii …` through the one runner, with PII_KEYS set to `keys`. */
function run(argv: string[], keys: string) {
  return opsForTest({ config: { ...t.config, PII_KEYS: parsePiiKeys(keys) }, pool: t.pool })('pii', ...argv);
}

describe('npm run ops -- pii rotate', () => {
  it('re-seals old-key and plain values with the new key, in batches, with progress', async () => {
    const oldKey = newPiiKey('old');
    const newKey = newPiiKey('new');
    const old = new PiiCipher(parsePiiKeys(oldKey));
    const users: Array<{ id: string; email: string; phone: string | null }> = [];
    for (let i = 0; i < 5; i++) {
      const { id } = await createUser(t.pool, `rotation-${i}`);
      const email = `user${i}@example.com`;
      const phone = i % 2 ? `+49301234${i}0` : null;
      // User 0 is from before encryption: plain text.
      const stored = (v: string, field: 'email' | 'phone') =>
        i === 0 ? v : old.seal(v, { userId: id, field });
      await t.pool.query('UPDATE profiles SET email_enc = $2, phone_enc = $3 WHERE user_id = $1', [
        id,
        stored(email, 'email'),
        phone && stored(phone, 'phone'),
      ]);
      users.push({ id, email, phone });
    }
    await t.pool.query('DELETE FROM cache_invalidations');

    const r = await run(['rotate', '--batch', '2'], `${newKey},${oldKey}`);
    expect(r.code, r.out.join('\n')).toBe(0);
    expect(r.notes).toHaveLength(3); // 5 profiles, 2 a batch
    expect(r.notes.at(-1)).toMatch(/5\/5 profiles scanned, 5 re-sealed with new \(100%\)/);
    expect(r.out.at(-1)).toMatch(/re-sealed 5 of 5 profiles .*values not under new: 0$/);

    expect(await keyCounts(t.pool)).toEqual([
      { field: 'email', keyId: 'new', n: 5 },
      { field: 'phone', keyId: 'new', n: 2 },
    ]);
    const onlyNew = new PiiCipher(parsePiiKeys(newKey));
    for (const u of users) {
      const { rows } = await t.pool.query('SELECT email_enc, phone_enc FROM profiles WHERE user_id = $1', [
        u.id,
      ]);
      expect(onlyNew.open(rows[0].email_enc, { userId: u.id, field: 'email' })).toBe(u.email);
      if (u.phone) expect(onlyNew.open(rows[0].phone_enc, { userId: u.id, field: 'phone' })).toBe(u.phone);
    }
    const { rows: purges } = await t.pool.query('SELECT DISTINCT user_id FROM cache_invalidations');
    expect(purges.map((p) => p.user_id).sort()).toEqual(users.map((u) => u.id).sort());

    const again = await run(['rotate'], `${newKey},${oldKey}`);
    expect(again.out.at(-1)).toMatch(/re-sealed 0 of 0 profiles/);
    const status = await run(['status'], newKey);
    expect(status.out).toEqual([
      expect.stringMatching(/^email +new +5 {2}current$/),
      expect.stringMatching(/^phone +new +2 {2}current$/),
    ]);
  });

  it('seals a plain value shaped like an envelope, and skips and counts what it cannot open', async () => {
    const current = newPiiKey('cur');
    const lost = new PiiCipher(parsePiiKeys(newPiiKey('lost')));
    const [shaped, unreadable, plain] = await Promise.all(
      ['shaped', 'unreadable', 'plain'].map((n) => createUser(t.pool, `rotation-${n}`)),
    );
    if (!shaped || !unreadable || !plain) throw new Error('no users');
    const set = (id: string, email: string) =>
      t.pool.query('UPDATE profiles SET email_enc = $2, phone_enc = NULL WHERE user_id = $1', [id, email]);
    // A plain email from before encryption that starts like an envelope under the current key's id.
    await set(shaped.id, 'pii1.cur.x@y.z');
    // Sealed with a key that is no longer configured: it cannot be opened.
    const sealedByLost = lost.seal('gone@example.com', { userId: unreadable.id, field: 'email' });
    await set(unreadable.id, sealedByLost);
    await set(plain.id, 'plain@example.com');

    const r = await run(['rotate', '--batch', '1'], current);
    expect(r.code, r.out.join('\n')).toBe(1);
    // Other tests' profiles may hold values of keys this run lacks too: at least ours is counted.
    const [, skipped] =
      /; (\d+) could not be opened and were left as they are/.exec(r.out.at(-1) ?? '') ?? [];
    expect(Number(skipped)).toBeGreaterThanOrEqual(1);

    const cipher = new PiiCipher(parsePiiKeys(current));
    const stored = async (id: string) =>
      (await t.pool.query('SELECT email_enc FROM profiles WHERE user_id = $1', [id])).rows[0].email_enc;
    expect(cipher.open(await stored(shaped.id), { userId: shaped.id, field: 'email' })).toBe(
      'pii1.cur.x@y.z',
    );
    expect(cipher.isCurrent(await stored(shaped.id))).toBe(true);
    expect(cipher.open(await stored(plain.id), { userId: plain.id, field: 'email' })).toBe(
      'plain@example.com',
    );
    expect(await stored(unreadable.id)).toBe(sealedByLost);
    await t.pool.query('UPDATE profiles SET email_enc = NULL WHERE user_id = $1', [unreadable.id]);
  });

  it('refuses a bad --batch with the usage (exit 2)', async () => {
    expect((await run(['rotate', '--batch', '0'], newPiiKey('k'))).code).toBe(2);
  });
});
