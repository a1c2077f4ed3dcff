import { describe, expect, it } from 'vitest';
import { exactDebits } from './exact-debits.ts';
import { account, finalState, op, transfer } from './test-fixtures.ts';

// 100 funded, payouts of 30: three are affordable, 10 is left.
const expected = { accountId: 'a', expectedSettledCount: 3, expectedBalance: 10 };
const created = (id: string, accountId = 'a') =>
  op('payout', { request: { accountId, amount: 30 }, status: 201, body: { id, accountId } });
const refused = op('payout', {
  request: { accountId: 'a' },
  status: 422,
  body: { code: 'insufficient_funds' },
});

describe('exactDebits', () => {
  it('accepts exactly the affordable debits, counting an info payout that did happen', () => {
    const state = finalState({
      accounts: [account('a', 10, { fundedNet: 100 })],
      transfers: [
        transfer('t1', 'a', 30, 'SETTLED'),
        transfer('t2', 'a', 30, 'SETTLED'),
        transfer('t3', 'a', 30, 'PENDING'), // its payout timed out (info) but was committed
        transfer('t4', 'a', 30, 'FAILED'),
        transfer('x1', 'other', 30, 'SETTLED'),
      ],
    });
    const ops = [
      created('t1'),
      created('t2'),
      created('t1'),
      op('payout', { type: 'info', request: { accountId: 'a' } }),
      refused,
      created('x1', 'other'),
    ];
    const result = exactDebits(expected, state, ops);
    expect(result).toMatchObject({ name: 'exact-debits', valid: true, errorCount: 0 });
    expect(result.figures).toEqual({
      expected_settled: 3,
      debited: 3,
      settled: 2,
      acknowledged: 2,
      expected_balance_cents: 10,
      balance_cents: 10,
    });
  });

  it('flags an extra debit, a wrong balance and more acknowledgements than affordable', () => {
    const state = finalState({
      accounts: [account('a', -20, { fundedNet: 100 })],
      transfers: ['t1', 't2', 't3', 't4'].map((id) => transfer(id, 'a', 30, 'SETTLED')),
    });
    const result = exactDebits(
      expected,
      state,
      ['t1', 't2', 't3', 't4'].map((id) => created(id)),
    );
    expect(result).toMatchObject({ valid: false, errorCount: 3 });
    expect(result.first).toEqual({ kind: 'balance', accountId: 'a', expected: 10, actual: -20 });
    expect(result.worst).toMatchObject({ kind: 'balance' });
    expect(result.last).toEqual({ kind: 'over-acknowledged', accountId: 'a', expected: 3, acknowledged: 4 });
  });

  it('flags a missing account and too few debits', () => {
    const result = exactDebits(expected, finalState({ transfers: [transfer('t1', 'a', 30, 'SETTLED')] }), []);
    expect(result).toMatchObject({ valid: false, errorCount: 2 });
    expect(result.first).toEqual({ kind: 'account-missing', accountId: 'a' });
    expect(result.last).toEqual({ kind: 'debit-count', accountId: 'a', expected: 3, actual: 1 });
  });
});
