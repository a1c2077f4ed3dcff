import { describe, expect, it } from 'vitest';
import { moneyConserved } from './money-conserved.ts';
import { account, charge, finalState, transfer } from './test-fixtures.ts';

describe('moneyConserved', () => {
  it('accepts settled, in-flight and refunded transfers that add up', () => {
    const state = finalState({
      accounts: [account('a', 40, { fundedNet: 100 }), account('b', 10, { fundedNet: 10 })],
      transfers: [
        transfer('t1', 'a', 30, 'SETTLED'),
        transfer('t2', 'a', 20, 'PROCESSING'), // in flight: may still be paid
        transfer('t3', 'a', 10, 'PENDING'),
        transfer('t4', 'a', 50, 'FAILED'), // refunded, not charged
      ],
      charges: [charge('t1', 30), charge('t4', 50, { status: 'declined' })],
    });
    const result = moneyConserved(state);
    expect(result).toMatchObject({ name: 'money-conserved', valid: true, errorCount: 0 });
    expect(result.figures).toEqual({
      deposits_cents: 110,
      balances_cents: 50,
      charged_cents: 30,
      in_flight_cents: 30,
      discrepancy_cents: 0,
    });
    expect(result.first).toBeUndefined();
  });

  it('counts a transfer stuck in PROCESSING that the bank did charge once', () => {
    const state = finalState({
      accounts: [account('a', 70, { fundedNet: 100 })],
      transfers: [transfer('t1', 'a', 30, 'PROCESSING')],
      charges: [charge('t1', 30)],
    });
    expect(moneyConserved(state)).toMatchObject({
      valid: true,
      figures: { charged_cents: 30, in_flight_cents: 0 },
    });
  });

  it('flags a FAILED transfer that the bank charged: refunded and paid', () => {
    const state = finalState({
      accounts: [account('a', 100, { fundedNet: 100 })],
      transfers: [transfer('t1', 'a', 30, 'FAILED')],
      charges: [charge('t1', 30)],
    });
    const result = moneyConserved(state);
    expect(result.valid).toBe(false);
    expect(result.errorCount).toBe(2);
    expect(result.first).toEqual({ kind: 'refunded-and-paid', transferId: 't1', accountId: 'a', amount: 30 });
    expect(result.last).toMatchObject({ kind: 'mismatch', accountId: 'a', discrepancy: -30 });
  });

  it('reports the largest discrepancy as worst', () => {
    const state = finalState({
      accounts: [
        account('a', 95, { fundedNet: 100 }), // 5 vanished
        account('b', 10, { fundedNet: 100 }), // 90 vanished
        account('c', 50, { fundedNet: 50 }),
      ],
      transfers: [transfer('t1', 'unknown', 7, 'SETTLED')],
      charges: [charge('t1', 7)],
    });
    const result = moneyConserved(state);
    expect(result).toMatchObject({ valid: false, errorCount: 3 });
    expect(result.first).toMatchObject({ kind: 'unknown-account', transferId: 't1' });
    expect(result.worst).toMatchObject({ kind: 'mismatch', accountId: 'b', discrepancy: 90 });
    expect(result.figures?.discrepancy_cents).toBe(95);
  });
});
