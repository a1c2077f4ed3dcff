import { describe, expect, it } from 'vitest';
import { bankChargedOnce } from './bank-charged-once.ts';
import { charge, finalState, transfer } from './test-fixtures.ts';

describe('bankChargedOnce', () => {
  it('accepts one charge per settled transfer, declines and voids besides', () => {
    const state = finalState({
      transfers: [
        transfer('t1', 'a', 10, 'SETTLED'),
        transfer('t2', 'a', 20, 'FAILED'),
        transfer('t3', 'a', 30, 'PROCESSING'),
      ],
      charges: [
        charge('t1', 10),
        charge('t1', 10, { status: 'voided', id: 'ch-old' }),
        charge('t2', 20, { status: 'declined' }),
      ],
    });
    const result = bankChargedOnce(state);
    expect(result).toMatchObject({ name: 'bank-charged-once', valid: true, errorCount: 0 });
    expect(result.figures).toEqual({
      charges: 3,
      charged: 1,
      settled: 1,
      double_charged: 0,
      settled_uncharged: 0,
    });
  });

  it('flags double charges, the most-charged reference as worst', () => {
    const state = finalState({
      transfers: [transfer('t1', 'a', 10, 'SETTLED'), transfer('t2', 'a', 20, 'SETTLED')],
      charges: [
        charge('t1', 10, { id: 'c1' }),
        charge('t1', 10, { id: 'c2' }),
        charge('t2', 20, { id: 'c3' }),
        charge('t2', 20, { id: 'c4' }),
        charge('t2', 20, { id: 'c5' }),
      ],
    });
    const result = bankChargedOnce(state);
    expect(result).toMatchObject({ valid: false, errorCount: 2, figures: { double_charged: 2 } });
    expect(result.first).toEqual({
      kind: 'double-charge',
      reference: 't1',
      chargeIds: ['c1', 'c2'],
      count: 2,
    });
    expect(result.worst).toEqual({
      kind: 'double-charge',
      reference: 't2',
      chargeIds: ['c3', 'c4', 'c5'],
      count: 3,
    });
  });

  it('flags a settled transfer never charged, a failed one charged, a wrong amount and a stray reference', () => {
    const state = finalState({
      transfers: [
        transfer('t1', 'a', 10, 'SETTLED'),
        transfer('t2', 'a', 20, 'FAILED'),
        transfer('t3', 'a', 30, 'SETTLED'),
      ],
      charges: [charge('t2', 20), charge('t3', 31), charge('nobody', 5, { status: 'declined' })],
    });
    const result = bankChargedOnce(state);
    expect(result).toMatchObject({
      valid: false,
      errorCount: 4,
      figures: { settled: 2, settled_uncharged: 1 },
    });
    expect(result.first).toMatchObject({ kind: 'unknown-reference', reference: 'nobody' });
    expect(result.last).toEqual({
      kind: 'amount-mismatch',
      transferId: 't3',
      amount: 30,
      chargeId: 'ch-t3',
      charged: 31,
    });
  });
});
