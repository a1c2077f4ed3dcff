import { describe, expect, it } from 'vitest';
import { refusalsChangedNothing } from './refusals-changed-nothing.ts';
import { op } from './test-fixtures.ts';

const payout = (key: string, type: 'ok' | 'fail' | 'info', f = 'payout') =>
  op(f, { type, request: { idempotencyKey: key, accountId: 'a1' } });

describe('refusalsChangedNothing', () => {
  it('holds when keys refused throughout hold no effect, or a stored refusal', () => {
    const ops = [
      payout('k1', 'fail'),
      payout('k1', 'fail', 'replay'),
      payout('k2', 'fail'),
      payout('k3', 'ok'),
    ];
    const keys = [
      { accountId: 'a1', key: 'k2', status: 422 },
      { accountId: 'a1', key: 'k3', status: 201 },
    ];
    expect(refusalsChangedNothing({ keys, profiles: [] }, ops)).toMatchObject({
      valid: true,
      figures: { refusedKeys: 2 },
    });
  });

  it('flags a key that was only ever refused yet holds a created payout', () => {
    const ops = [payout('k1', 'fail'), payout('k2', 'info'), payout('k2', 'fail', 'replay')];
    const keys = [
      { accountId: 'a1', key: 'k1', status: 201 },
      { accountId: 'a1', key: 'k2', status: 201 }, // k2 had an unknown answer: it may have happened
    ];
    const result = refusalsChangedNothing({ keys, profiles: [] }, ops);
    expect(result).toMatchObject({
      valid: false,
      errorCount: 1,
      first: { idempotencyKey: 'k1', storedStatus: 201 },
    });
  });
});
