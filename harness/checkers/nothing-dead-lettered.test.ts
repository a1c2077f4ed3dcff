import { describe, expect, it } from 'vitest';
import { nothingDeadLettered } from './nothing-dead-lettered.ts';

describe('nothingDeadLettered', () => {
  it('accepts an empty dead-letter queue', () => {
    expect(nothingDeadLettered([])).toMatchObject({
      name: 'nothing-dead-lettered',
      valid: true,
      figures: { dead_lettered: 0 },
    });
  });

  it('flags each dead letter, with its reason', () => {
    const result = nothingDeadLettered([
      { transferId: 't1', reason: 'canceling statement due to lock timeout' },
      { transferId: 't2', reason: 'canceling statement due to lock timeout' },
    ]);
    expect(result).toMatchObject({ valid: false, errorCount: 2, figures: { dead_lettered: 2 } });
    expect(result.first).toEqual({ transferId: 't1', reason: 'canceling statement due to lock timeout' });
  });
});
