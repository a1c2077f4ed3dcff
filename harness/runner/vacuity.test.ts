import { describe, expect, it } from 'vitest';
import type { FaultWindow } from '../core/fault-window.ts';
import { vacuity } from './vacuity.ts';

const window = (kind: string, hits?: number): FaultWindow => ({
  kind,
  target: 'worker-1',
  startedAt: 10,
  endedAt: 20,
  ...(hits === undefined ? {} : { evidence: { hits, what: 'active jobs' } }),
});

describe('vacuity', () => {
  it('is empty when every kind hit live work at least once', () => {
    expect(vacuity(['kill'], [window('kill', 0), window('kill', 3)])).toEqual([]);
    expect(vacuity([], [])).toEqual([]);
  });

  it('names a declared kind that was never injected', () => {
    expect(vacuity(['kill', 'cut'], [window('kill', 1)])).toEqual([
      'cut: never injected (the workload ended before the fault schedule?)',
    ]);
  });

  it('names a kind whose every window hit nothing, or had no evidence, declared or not', () => {
    const reasons = vacuity(['kill'], [window('kill', 0), window('kill'), window('cut', 0)]);
    expect(reasons).toEqual([
      'kill: hit no live work in 2 window(s) (worker-1: 0 active jobs; worker-1: no evidence)',
      'cut: hit no live work in 1 window(s) (worker-1: 0 active jobs)',
    ]);
  });
});
