import { describe, expect, it } from 'vitest';
import { op } from './test-fixtures.ts';
import { unknownsResolved } from './unknowns-resolved.ts';

const payout = (key: string, type: 'ok' | 'info' = 'info') =>
  op('payout', { type, request: { idempotencyKey: key, accountId: 'a1', amount: 100 } });
const update = (userId: string, type: 'ok' | 'info' | 'fail' = 'info') =>
  op('profile-update', { type, request: { userId, bio: 'x' } });

describe('unknownsResolved', () => {
  it('resolves keyed writes by their stored key, reads as no effect, profile updates by version', () => {
    const ops = [
      payout('k1'), // its key is stored: it happened
      payout('k2'), // no key: it did not
      payout('k3', 'ok'), // not unknown at all
      op('read', { type: 'info', request: { accountId: 'a1' } }),
      op('transfer', { type: 'info', request: { idempotencyKey: 'k4', fromAccountId: 'a2' } }),
      update('u1', 'ok'),
      update('u1'), // version 3 = 1 + the acknowledged one + this one
      update('u2'),
      update('u2'), // version 1: neither happened
    ];
    const lookups = {
      keys: [
        { accountId: 'a1', key: 'k1', status: 201 },
        { accountId: 'a1', key: 'k3', status: 201 },
        { accountId: 'a2', key: 'k4', status: 422 },
      ],
      profiles: [
        { userId: 'u1', version: 3 },
        { userId: 'u2', version: 1 },
      ],
    };
    const result = unknownsResolved(lookups, ops);
    expect(result).toMatchObject({ name: 'unknowns-resolved', valid: true });
    expect(result.figures).toEqual({
      unknown: 7,
      unknown_happened: 3,
      unknown_not_happened: 3,
      unknown_no_effect: 1,
      unresolved: 0,
    });
  });

  it('leaves unresolved what cannot be looked up: no key, an ambiguous version, an unknown kind', () => {
    const ops = [
      op('transfer', { type: 'info', request: { fromAccountId: 'a1' } }),
      update('u1'),
      update('u1'), // version 2: one of the two happened, which one is unknowable
      op('recon-run', { type: 'info' }),
    ];
    const result = unknownsResolved({ keys: [], profiles: [{ userId: 'u1', version: 2 }] }, ops);
    expect(result).toMatchObject({ valid: false, errorCount: 4, figures: { unresolved: 4 } });
    expect(result.first).toMatchObject({
      f: 'transfer',
      why: expect.stringContaining('without an idempotency key'),
    });
    expect(result.last).toMatchObject({ f: 'recon-run', why: 'no lookup for "recon-run" operations' });
  });
});
