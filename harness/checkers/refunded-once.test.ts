import { describe, expect, it } from 'vitest';
import { refundedOnce } from './refunded-once.ts';
import { finalState, transfer } from './test-fixtures.ts';

describe('refundedOnce', () => {
  it('accepts FAILED transfers refunded once and others not refunded', () => {
    const state = finalState({
      transfers: [transfer('t1', 'a', 10, 'FAILED'), transfer('t2', 'a', 20, 'SETTLED')],
    });
    expect(refundedOnce(state)).toMatchObject({ valid: true, figures: { failed: 1, refunded: 1 } });
  });

  it('flags a failed transfer never refunded, one refunded twice or for another amount, and a settled one refunded', () => {
    const wrongAmount = { ...transfer('t3', 'a', 30, 'FAILED'), refunded: 25 };
    const state = finalState({
      transfers: [
        transfer('t1', 'a', 10, 'FAILED', { refunds: 0 }),
        transfer('t2', 'a', 20, 'FAILED', { refunds: 2 }),
        wrongAmount,
        transfer('t4', 'a', 40, 'SETTLED', { refunds: 1 }),
      ],
    });
    const result = refundedOnce(state);
    expect(result).toMatchObject({ valid: false, errorCount: 4 });
    expect(result.first).toMatchObject({ kind: 'failed-not-refunded', transferId: 't1' });
    expect(result.worst).toMatchObject({ kind: 'refunded-more-than-once', transferId: 't2', refunded: 40 });
    expect(result.last).toMatchObject({ kind: 'refunded-not-failed', transferId: 't4' });
  });
});
