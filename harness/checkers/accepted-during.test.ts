import { describe, expect, it } from 'vitest';
import { acceptedDuring } from './accepted-during.ts';
import { op } from './test-fixtures.ts';

const check = { name: 'payouts-accepted', description: 'Every payout asked for meanwhile was accepted.' };
const window = { from: 1_000, to: 2_000 };

describe('acceptedDuring', () => {
  it('accepts a window whose payouts were all accepted, ignoring those outside it', () => {
    const ops = [
      op('payout', { at: 1_000, status: 201 }),
      op('payout', { at: 2_000, status: 201 }),
      op('payout', { type: 'fail', at: 500, status: 503 }),
      op('read', { type: 'fail', at: 1_500, status: 429 }),
    ];
    expect(acceptedDuring(ops, window, check)).toMatchObject({
      name: 'payouts-accepted',
      valid: true,
      figures: { asked: 2, accepted: 2 },
    });
  });

  it('flags a refused or unknown payout in the window', () => {
    const ops = [
      op('payout', { at: 1_100, status: 201 }),
      op('payout', { type: 'fail', at: 1_200, status: 503 }),
      op('payout', { type: 'info', at: 1_300 }),
    ];
    const result = acceptedDuring(ops, window, check);
    expect(result).toMatchObject({ valid: false, errorCount: 2 });
    expect(result.first).toMatchObject({ invokedAt: 1_200 });
    expect(result.last).toMatchObject({ invokedAt: 1_300 });
  });

  it('fails a window in which no payout was asked for', () => {
    expect(acceptedDuring([op('payout', { at: 0, status: 201 })], window, check)).toMatchObject({
      valid: false,
      errorCount: 1,
    });
  });
});
