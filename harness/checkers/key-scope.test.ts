import { describe, expect, it } from 'vitest';
import { keyReuseRefused, keysScopedPerUser } from './key-scope.ts';
import { op } from './test-fixtures.ts';

describe('keyReuseRefused', () => {
  const request = { idempotencyKey: 'k1', accountId: 'a' };
  const original = op('payout', { status: 201, request });

  it('holds when every reuse of a taken key was refused, and flags one that was served', () => {
    const refused = { ...op('reuse', { type: 'fail', request }), error: 'idempotency_key_reused' };
    expect(keyReuseRefused([original, refused])).toMatchObject({ valid: true, figures: { refused: 1 } });
    const served = op('reuse', { status: 201, body: { id: 'p1' }, request });
    expect(keyReuseRefused([original, refused, served])).toMatchObject({
      valid: false,
      first: { status: 201 },
    });
  });

  it('leaves out the reuse of a key whose first request never took effect', () => {
    const lost = op('payout', { type: 'info', request });
    const fresh = op('reuse', { status: 201, request });
    expect(keyReuseRefused([lost, fresh])).toMatchObject({
      valid: true,
      figures: { refused: 0, untested: 1 },
    });
  });
});

describe('keysScopedPerUser', () => {
  it('holds when the other user got its own payouts, and flags the first user’s answer or a refusal', () => {
    const own = op('other-user', { status: 201, body: { accountId: 'b' } });
    expect(keysScopedPerUser([own], { f: 'other-user', accountId: 'b' }).valid).toBe(true);
    const theirs = op('other-user', { status: 201, body: { accountId: 'a' } });
    const refused = op('other-user', { type: 'fail', status: 422 });
    const result = keysScopedPerUser([own, theirs, refused], { f: 'other-user', accountId: 'b' });
    expect(result).toMatchObject({ valid: false, errorCount: 2, first: { accountId: 'a' } });
  });
});
