import { describe, expect, it } from 'vitest';
import { noNegativeBalance } from './no-negative-balance.ts';
import { account, finalState, op } from './test-fixtures.ts';

const read = (balance: unknown, opts: Parameters<typeof op>[1] = {}) =>
  op('read', { body: { id: 'a', balance }, ...opts });

describe('noNegativeBalance', () => {
  it('accepts non-negative balances and reports the minimum seen', () => {
    const result = noNegativeBalance(finalState({ accounts: [account('a', 7)] }), [
      read(3),
      read(0),
      read(12),
    ]);
    expect(result).toMatchObject({ name: 'no-negative-balance', valid: true, errorCount: 0 });
    expect(result.figures).toEqual({ accounts: 1, reads: 3, min_balance_cents: 0 });
  });

  it('ignores reads that did not succeed and reads of something else', () => {
    const ops = [
      read(-5, { type: 'info' }),
      read(-5, { type: 'fail' }),
      op('payout', { body: { balance: -5 } }),
      read('-5'),
    ];
    expect(noNegativeBalance(finalState({ accounts: [account('a', 1)] }), ops)).toMatchObject({
      valid: true,
      figures: { reads: 0, min_balance_cents: 1 },
    });
  });

  it('flags an observed negative read and a negative final balance', () => {
    const state = finalState({ accounts: [account('a', 5), account('b', -2)] });
    const result = noNegativeBalance(state, [read(4), read(-10, { process: 3, at: 5, until: 9 }), read(-1)]);
    expect(result).toMatchObject({ valid: false, errorCount: 3 });
    expect(result.first).toEqual({ kind: 'observed', accountId: 'a', balance: -10, process: 3, time: 9 });
    expect(result.worst).toMatchObject({ balance: -10 });
    expect(result.last).toEqual({ kind: 'final', accountId: 'b', balance: -2 });
    expect(result.figures?.min_balance_cents).toBe(-10);
  });
});
