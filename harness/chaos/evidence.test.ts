import { describe, expect, it } from 'vitest';
import type { Op } from '../core/history.ts';
import { hitsAcross, hitsBefore, opsDuring } from './evidence.ts';
import { Nemesis, noFault } from './nemesis.ts';

const op = (process: number, type: Op['type'], time: number, f = 'payout'): Op => ({
  index: 0,
  process,
  type,
  f,
  value: null,
  time,
});

describe('fault evidence', () => {
  it('counts operations in flight during a window, unfinished ones included', () => {
    const ops = [
      op(1, 'invoke', 0),
      op(1, 'ok', 5), // done before the window
      op(2, 'invoke', 8),
      op(2, 'info', 12), // straddles its start
      op(3, 'invoke', 15),
      op(3, 'ok', 16), // inside
      op(4, 'invoke', 25), // after it
      op(4, 'ok', 26),
      op(5, 'invoke', 18), // never completed
      op(6, 'invoke', 11, 'read'),
      op(6, 'ok', 13, 'read'),
    ];
    const window = { kind: 'cut', target: 'bank', startedAt: 10, endedAt: 20 };
    expect(opsDuring(ops, window)).toBe(4);
    expect(opsDuring(ops, window, (f) => f === 'payout')).toBe(3);
  });

  it('records on the window what the fault hit, read before the injection or across it', async () => {
    let counter = 5;
    const nemesis = new Nemesis(() => 0);
    const before = hitsBefore({ ...noFault, kind: 'kill' }, 'active jobs', async () => 2);
    const across = hitsAcross({ ...noFault, kind: 'bank-fault' }, 'faults fired', async () => counter);
    await nemesis.inject(before);
    await nemesis.inject(across);
    counter = 12;
    await nemesis.healAll();
    expect(nemesis.windows.map((w) => w.evidence)).toEqual([
      { hits: 2, what: 'active jobs' },
      { hits: 7, what: 'faults fired' },
    ]);
  });

  it('records zero hits, with the reason, when the evidence cannot be read', async () => {
    const nemesis = new Nemesis(() => 0);
    await nemesis.inject(
      hitsBefore({ ...noFault, kind: 'kill' }, 'active jobs', async () => {
        throw new Error('redis down');
      }),
    );
    await nemesis.healAll();
    expect(nemesis.windows[0]?.evidence).toEqual({ hits: 0, what: 'active jobs (unreadable: redis down)' });
  });
});
