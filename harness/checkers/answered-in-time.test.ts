import { describe, expect, it } from 'vitest';
import { answeredInTime } from './answered-in-time.ts';
import { op } from './test-fixtures.ts';

const payouts = (f: string) => f === 'payout';

describe('answeredInTime', () => {
  it('accepts every answer within the bound, whatever it says', () => {
    const ops = [
      op('payout', { at: 0, until: 4_000, status: 201 }),
      op('payout', { type: 'fail', at: 10, until: 5_010, status: 503 }),
      op('read', { at: 0, until: 60_000 }),
    ];
    const result = answeredInTime(ops, { boundMs: 5_000, f: payouts });
    expect(result).toMatchObject({ name: 'answered-in-time', valid: true, errorCount: 0 });
    expect(result.figures).toEqual({ answered_ms_max: 5_000, bound_ms: 5_000, judged: 2 });
  });

  it('flags a late answer and one never given; the one never given is worst', () => {
    const ops = [
      op('payout', { at: 0, until: 8_000, status: 201, request: { idempotencyKey: 'late' } }),
      op('payout', { type: 'info', at: 100, request: { idempotencyKey: 'never' } }),
      op('payout', { at: 200, until: 300, status: 201 }),
    ];
    const result = answeredInTime(ops, { boundMs: 5_000, f: payouts });
    expect(result).toMatchObject({ valid: false, errorCount: 2 });
    expect(result.first).toMatchObject({ request: { idempotencyKey: 'late' }, waitedMs: 8_000 });
    expect(result.worst).toMatchObject({ request: { idempotencyKey: 'never' }, waitedMs: null });
    expect(result.figures?.answered_ms_max).toBe(8_000);
  });

  it('fails a history with nothing to judge', () => {
    expect(answeredInTime([op('read')], { boundMs: 5_000, f: payouts })).toMatchObject({
      valid: false,
      errorCount: 1,
    });
  });
});
