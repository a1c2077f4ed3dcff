import { describe, expect, it } from 'vitest';
import { complete } from './pair.ts';
import { historyOp } from './test-fixtures.ts';

const at = historyOp;

describe('complete', () => {
  it('pairs interleaved invokes and completions by process, in invoke order', () => {
    const paired = complete([
      at(0, 1, 'invoke', 'payout', { amount: 5 }, 0),
      at(1, 2, 'invoke', 'read', null, 1),
      at(2, 2, 'ok', 'read', { status: 200, body: { balance: 3 } }, 2),
      at(3, 1, 'fail', 'payout', null, 3),
    ]);
    expect(paired).toEqual([
      {
        process: 1,
        f: 'payout',
        type: 'fail',
        request: { amount: 5 },
        response: null,
        invokedAt: 0,
        completedAt: 3,
      },
      {
        process: 2,
        f: 'read',
        type: 'ok',
        request: null,
        response: { status: 200, body: { balance: 3 } },
        invokedAt: 1,
        completedAt: 2,
      },
    ]);
  });

  it('turns an invoke without completion into info with completedAt null', () => {
    const paired = complete([
      at(0, 1, 'invoke', 'payout', { amount: 5 }, 0),
      at(1, 1, 'invoke', 'payout', { amount: 6 }, 10),
      at(2, 1, 'info', 'payout', null, 20),
    ]);
    expect(paired.map((c) => [c.type, c.completedAt])).toEqual([
      ['info', null],
      ['info', 20],
    ]);
    expect(complete([at(0, 3, 'invoke', 'read', null, 0)])[0]).toMatchObject({
      type: 'info',
      completedAt: null,
    });
  });

  it('keeps the completion error and ignores a completion with no open invoke', () => {
    const paired = complete([
      at(0, 1, 'ok', 'read', null, 0),
      at(1, 1, 'invoke', 'read', null, 1),
      { ...at(2, 1, 'info', 'read', null, 2), error: 'timeout' },
    ]);
    expect(paired).toHaveLength(1);
    expect(paired[0]).toMatchObject({ type: 'info', error: 'timeout', completedAt: 2 });
  });
});
