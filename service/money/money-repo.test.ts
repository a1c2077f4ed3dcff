import { describe, expect, it } from 'vitest';
import { DatabaseUnavailable, InsufficientFunds, LockTimeout } from '../errors.ts';
import { mapDatabaseError } from './money-repo.ts';

describe('mapDatabaseError', () => {
  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['a terminated connection', new Error('Connection terminated unexpectedly')],
    ['a pool with no free connection in time', new Error('timeout exceeded when trying to connect')],
    ['an admin shutdown', Object.assign(new Error('terminating connection'), { code: '57P01' })],
    ['a query unanswered within query_timeout', new Error('Query read timeout')],
    [
      'a statement cancelled by statement_timeout',
      Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }),
    ],
  ])('maps %s to 503 database_unavailable', (_name, err) => {
    expect(mapDatabaseError(err)).toBeInstanceOf(DatabaseUnavailable);
  });

  it('maps a lock timeout and the balance check to their own errors, and leaves anything else alone', () => {
    expect(mapDatabaseError(Object.assign(new Error('x'), { code: '55P03' }))).toBeInstanceOf(LockTimeout);
    expect(mapDatabaseError(Object.assign(new Error('x'), { code: '23514' }))).toBeInstanceOf(
      InsufficientFunds,
    );
    const other = new Error('syntax error');
    expect(mapDatabaseError(other)).toBe(other);
  });
});
