import { describe, expect, it } from 'vitest';
import { allTerminal } from './all-terminal.ts';
import { finalState, transfer } from './test-fixtures.ts';

describe('allTerminal', () => {
  it('accepts settled and failed transfers, counting each status', () => {
    const state = finalState({
      transfers: [transfer('t1', 'a', 1, 'SETTLED'), transfer('t2', 'a', 1, 'FAILED')],
    });
    const result = allTerminal(state);
    expect(result).toMatchObject({ name: 'all-terminal', valid: true, errorCount: 0 });
    expect(result.figures).toEqual({
      transfers: 2,
      pending: 0,
      processing: 0,
      settled: 1,
      failed: 1,
      manual_review: 0,
    });
  });

  it('flags pending, processing and manual-review transfers; the most retried is worst', () => {
    const state = finalState({
      transfers: [
        transfer('t1', 'a', 1, 'PENDING'),
        { ...transfer('t2', 'a', 1, 'MANUAL_REVIEW'), attempts: 5, reconAttempts: 3 },
        transfer('t3', 'a', 1, 'SETTLED'),
        transfer('t4', 'a', 1, 'PROCESSING'),
      ],
    });
    const result = allTerminal(state);
    expect(result).toMatchObject({ valid: false, errorCount: 3, figures: { manual_review: 1, pending: 1 } });
    expect(result.first).toMatchObject({ transferId: 't1', status: 'PENDING' });
    expect(result.worst).toEqual({
      transferId: 't2',
      status: 'MANUAL_REVIEW',
      attempts: 5,
      reconAttempts: 3,
    });
    expect(result.last).toMatchObject({ transferId: 't4', status: 'PROCESSING' });
  });
});
