import { describe, expect, it } from 'vitest';
import { historyOp } from '../../checkers/test-fixtures.ts';
import type { Op } from '../../core/history.ts';
import { matchingHistoryLines } from './history-match.ts';

const o = historyOp;
const ops: Op[] = [
  o(0, 1, 'invoke', 'payout', { idempotencyKey: 'dd-1-7' }, 10),
  o(1, 2, 'invoke', 'payout', { idempotencyKey: 'dd-1-8' }, 11),
  o(2, 1, 'ok', 'payout', { status: 201, body: { id: 'tr-0001' } }, 20.5),
  o(3, 2, 'fail', 'payout', { status: 422 }, 21),
  o(4, 1, 'invoke', 'replay', { idempotencyKey: 'dd-1-7' }, 30),
  o(5, 1, 'ok', 'replay', { status: 201, body: { id: 'tr-0002' } }, 31),
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
