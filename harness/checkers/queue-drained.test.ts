import { describe, expect, it } from 'vitest';
import { queueDrained } from './queue-drained.ts';

describe('queueDrained', () => {
  it('accepts an empty queue', () => {
    expect(queueDrained({ queue: { waiting: 0, active: 0, delayed: 0, prioritized: 0 } })).toMatchObject({
      name: 'queue-drained',
      valid: true,
      errorCount: 0,
      figures: { total: 0 },
    });
  });

  it('counts every job left and shows the fullest state as worst', () => {
    const result = queueDrained({ queue: { waiting: 2, active: 0, delayed: 5, prioritized: 1 } });
    expect(result).toMatchObject({ valid: false, errorCount: 8, figures: { total: 8, delayed: 5 } });
    expect(result.first).toEqual({ state: 'waiting', jobs: 2 });
    expect(result.worst).toEqual({ state: 'delayed', jobs: 5 });
    expect(result.last).toEqual({ state: 'prioritized', jobs: 1 });
  });
});
