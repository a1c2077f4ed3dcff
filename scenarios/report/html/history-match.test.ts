import { describe, expect, it } from 'vitest';
import type { Op } from '../../core/history.ts';
import { matchingHistoryLines } from './history-match.ts';

const ops: Op[] = [
  { index: 0, process: 1, type: 'invoke', f: 'payout', value: { idempotencyKey: 'dd-1-7' }, time: 10 },
  { index: 1, process: 2, type: 'invoke', f: 'payout', value: { idempotencyKey: 'dd-1-8' }, time: 11 },
  {
    index: 2,
    process: 1,
    type: 'ok',
    f: 'payout',
    value: { status: 201, body: { id: 'tr-0001' } },
    time: 20.5,
  },
  { index: 3, process: 2, type: 'fail', f: 'payout', value: { status: 422 }, time: 21 },
  { index: 4, process: 1, type: 'invoke', f: 'replay', value: { idempotencyKey: 'dd-1-7' }, time: 30 },
  {
    index: 5,
    process: 1,
    type: 'ok',
    f: 'replay',
    value: { status: 201, body: { id: 'tr-0002' } },
    time: 31,
  },
];
const lines = ops.map((o) => JSON.stringify(o));

describe('matchingHistoryLines', () => {
  it('finds the operations an example names by key or id, each with its other half', () => {
    const m = matchingHistoryLines({ kind: 'mismatch', idempotencyKey: 'dd-1-7' }, ops, lines);
    expect(m).toEqual({ lines: [lines[0], lines[2], lines[4], lines[5]], more: 0 });
    expect(matchingHistoryLines({ transferId: 'tr-0002' }, ops, lines).lines).toEqual([lines[4], lines[5]]);
  });

  it('finds an operation by its process and time', () => {
    const m = matchingHistoryLines({ process: 1, acknowledgedAt: 20.5 }, ops, lines);
    expect(m.lines).toEqual([lines[0], lines[2]]);
    expect(matchingHistoryLines({ process: 2, acknowledgedAt: 20.5 }, ops, lines).lines).toEqual([]);
  });

  it('shows at most `limit` lines and counts the rest; prose matches nothing', () => {
    expect(matchingHistoryLines({ ids: ['dd-1-7', 'dd-1-8'] }, ops, lines, 2)).toEqual({
      lines: [lines[0], lines[1]],
      more: 4,
    });
    expect(matchingHistoryLines('3 writes refused: a cache must evict', ops, lines)).toEqual({
      lines: [],
      more: 0,
    });
  });
});
