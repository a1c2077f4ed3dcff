import { describe, expect, it } from 'vitest';
import { resolvedByLookup } from './resolved-by-lookup.ts';
import { finalState, transfer } from './test-fixtures.ts';

describe('resolvedByLookup', () => {
  it('accepts unknown outcomes all closed, the charged ones settled', () => {
    const state = finalState({
      transfers: [
        transfer('t1', 'a', 10, 'SETTLED'),
        transfer('t2', 'a', 10, 'SETTLED'),
        transfer('t3', 'a', 10, 'FAILED'),
      ],
    });
    const result = resolvedByLookup({ unknown: ['t1', 't2', 't3'], chargedAtBank: ['t1'] }, state);
    expect(result).toMatchObject({ valid: true, figures: { unknown: 3, chargedAtBank: 1 } });
  });

  it('flags a charged one refunded instead of settled, and one left open', () => {
    const state = finalState({
      transfers: [transfer('t1', 'a', 10, 'FAILED'), transfer('t2', 'a', 10, 'PROCESSING')],
    });
    const result = resolvedByLookup({ unknown: ['t1', 't2'], chargedAtBank: ['t1'] }, state);
    expect(result).toMatchObject({ valid: false, errorCount: 2 });
    expect(result.first).toEqual({ kind: 'charged-not-settled', transferId: 't1', status: 'FAILED' });
    expect(result.last).toEqual({ kind: 'left-open', transferId: 't2', status: 'PROCESSING' });
  });
});
