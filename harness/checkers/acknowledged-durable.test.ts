import { describe, expect, it } from 'vitest';
import { acknowledgedDurable } from './acknowledged-durable.ts';
import { finalState, op, transfer } from './test-fixtures.ts';

const created = (id: string, opts: Parameters<typeof op>[1] = {}) =>
  op('payout', { status: 201, body: { id, status: 'PENDING' }, ...opts });

describe('acknowledgedDurable', () => {
  it('accepts acknowledged payouts that exist; info payouts need not exist', () => {
    const state = finalState({
      transfers: [transfer('t1', 'a', 5, 'SETTLED'), transfer('t2', 'a', 5, 'FAILED')],
    });
    const ops = [
      created('t1'),
      created('t2'),
      op('replay', { status: 201, body: { id: 't1' } }),
      op('payout', { type: 'info' }), // may or may not have happened: either is fine
      op('payout', { status: 422, body: { code: 'insufficient_funds' } }),
    ];
    const result = acknowledgedDurable(state, ops);
    expect(result).toMatchObject({ name: 'acknowledged-durable', valid: true, errorCount: 0 });
    expect(result.figures).toEqual({ acknowledged: 2, found: 2 });
  });

  it('flags an acknowledged payout missing from the final state', () => {
    const state = finalState({ transfers: [transfer('t1', 'a', 5, 'SETTLED')] });
    const result = acknowledgedDurable(state, [created('t1'), created('lost', { process: 4, until: 12 })]);
    expect(result).toMatchObject({ valid: false, errorCount: 1, figures: { acknowledged: 2, found: 1 } });
    expect(result.first).toEqual({ transferId: 'lost', process: 4, acknowledgedAt: 12 });
  });
});
