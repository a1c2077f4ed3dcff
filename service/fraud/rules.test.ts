import { describe, expect, it } from 'vitest';
import { LocalVelocity } from './local-velocity.ts';
import { type FraudRules, judge, median } from './rules.ts';

const rules: FraudRules = {
  windowMs: 60_000,
  maxPayouts: 3,
  maxAmount: 10_000,
  anomalyFactor: 10,
  anomalyMinSamples: 3,
};
const usd = (amount: number) => ({ amount, currency: 'USD' });

describe('judge', () => {
  it('holds the payout that would exceed the count, then the sum, then the usual amount', () => {
    expect(judge({ count: 2, sum: 0, history: [] }, usd(1), rules)).toBeNull();
    expect(judge({ count: 3, sum: 0, history: [] }, usd(1), rules)).toBe('velocity_count');
    expect(judge({ count: 0, sum: 9_000, history: [] }, usd(1_000), rules)).toBeNull();
    expect(judge({ count: 0, sum: 9_000, history: [] }, usd(1_001), rules)).toBe('velocity_amount');
    expect(judge({ count: 0, sum: 0, history: [100, 200, 300] }, usd(2_000), rules)).toBeNull();
    expect(judge({ count: 0, sum: 0, history: [100, 200, 300] }, usd(2_001), rules)).toBe('amount_anomaly');
  });

  it('judges no anomaly before enough samples, or when the factor is 0', () => {
    expect(judge({ count: 0, sum: 0, history: [1, 1] }, usd(5_000), rules)).toBeNull();
    expect(
      judge({ count: 0, sum: 0, history: [1, 1, 1] }, usd(5_000), { ...rules, anomalyFactor: 0 }),
    ).toBeNull();
  });

  it('scales the amount limit by the currency exponent (the same major units)', () => {
    // 10,000 minor units of a 2-decimal currency = 100.00: 100 JPY, 100.000 BHD.
    expect(judge({ count: 0, sum: 0, history: [] }, { amount: 101, currency: 'JPY' }, rules)).toBe(
      'velocity_amount',
    );
    expect(judge({ count: 0, sum: 0, history: [] }, { amount: 100_000, currency: 'BHD' }, rules)).toBeNull();
  });

  it('takes the median of the history', () => {
    expect(median([])).toBeNull();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('LocalVelocity (the in-process fallback)', () => {
  it('admits and records until a rule holds, and slides with time', () => {
    let now = 0;
    const local = new LocalVelocity(() => now);
    const payout = (amount: number, member: string) => ({ amount, currency: 'USD', member });
    expect(local.check('u', payout(100, 'a'), rules)).toBeNull();
    expect(local.check('u', payout(100, 'b'), rules)).toBeNull();
    expect(local.check('u', payout(100, 'c'), rules)).toBeNull();
    expect(local.check('u', payout(100, 'd'), rules)).toBe('velocity_count');
    local.forget('u', payout(100, 'c'));
    expect(local.check('u', payout(100, 'e'), rules)).toBeNull();
    now = 60_001;
    expect(local.check('u', payout(5_000, 'f'), rules)).toBe('amount_anomaly');
    expect(local.check('u', payout(900, 'g'), rules)).toBeNull();
    expect(local.check('other', payout(5_000, 'h'), rules)).toBeNull();
    local.close();
  });
});
