import { describe, expect, it } from 'vitest';
import { ledgerMatchesBalance } from './ledger-matches-balance.ts';
import { account, finalState } from './test-fixtures.ts';

describe('ledgerMatchesBalance', () => {
  it('accepts balances equal to their ledger sums', () => {
    const result = ledgerMatchesBalance(finalState({ accounts: [account('a', 10), account('b', 0)] }));
    expect(result).toMatchObject({ name: 'ledger-matches-balance', valid: true, errorCount: 0 });
  });

  it('flags each drifted account, the largest drift as worst', () => {
    const state = finalState({
      accounts: [account('a', 10, { ledgerSum: 11 }), account('b', 5), account('c', 100, { ledgerSum: 40 })],
    });
    const result = ledgerMatchesBalance(state);
    expect(result).toMatchObject({ valid: false, errorCount: 2 });
    expect(result.first).toEqual({ accountId: 'a', balance: 10, ledgerSum: 11, difference: -1 });
    expect(result.worst).toMatchObject({ accountId: 'c', difference: 60 });
  });
});
