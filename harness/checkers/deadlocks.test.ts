import { describe, expect, it } from 'vitest';
import { answeredThroughContention, noDeadlocks } from './deadlocks.ts';
import { op } from './test-fixtures.ts';

describe('noDeadlocks', () => {
  it('holds when Postgres logged no deadlock, and counts serialization failures without failing', () => {
    const result = noDeadlocks({
      deadlocks: [],
      serializationFailures: ['ERROR: could not serialize access'],
    });
    expect(result).toMatchObject({ valid: true, figures: { deadlocks: 0, serializationFailures: 1 } });
  });

  it('fails on each deadlock Postgres detected', () => {
    const line = '2026-01-01 ERROR:  deadlock detected';
    expect(noDeadlocks({ deadlocks: [line, line], serializationFailures: [] })).toMatchObject({
      valid: false,
      errorCount: 2,
      first: { line },
    });
  });
});

describe('answeredThroughContention', () => {
  it('fails on any unanswered money operation, and ignores the others', () => {
    const ops = [
      op('transfer'),
      op('transfer', { type: 'fail', status: 503 }),
      op('payout', { type: 'info' }),
      op('read', { type: 'info' }),
    ];
    const result = answeredThroughContention(ops, ['transfer', 'payout']);
    expect(result).toMatchObject({ valid: false, errorCount: 2, figures: { answered: 1 } });
    expect(result.first).toMatchObject({ f: 'transfer', type: 'fail', error: 'connection refused' });
  });
});
