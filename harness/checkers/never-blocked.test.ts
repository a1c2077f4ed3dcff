import { describe, expect, it } from 'vitest';
import { neverBlocked } from './never-blocked.ts';

describe('neverBlocked', () => {
  it('accepts samples in which nobody waited', () => {
    const result = neverBlocked([0, 100, 200].map((at) => ({ at, blocked: 0, who: [] })));
    expect(result).toMatchObject({ name: 'claims-never-blocked', valid: true, errorCount: 0 });
    expect(result.figures).toEqual({ samples: 3, blocked_sessions_max: 0 });
  });

  it('flags every sample with a blocked session; the most blocked is worst', () => {
    const result = neverBlocked([
      { at: 0, blocked: 0, who: [] },
      { at: 100, blocked: 1, who: ['faultline-worker'] },
      { at: 200, blocked: 3, who: ['faultline-worker', 'faultline-worker', 'faultline-worker'] },
      { at: 300, blocked: 2, who: ['faultline-worker', 'faultline-worker'] },
    ]);
    expect(result).toMatchObject({ valid: false, errorCount: 3, figures: { blocked_sessions_max: 3 } });
    expect(result.first).toMatchObject({ at: 100 });
    expect(result.worst).toMatchObject({ at: 200, blocked: 3 });
    expect(result.last).toMatchObject({ at: 300 });
  });

  it('fails without samples: an unwatched pause proves nothing', () => {
    expect(neverBlocked([])).toMatchObject({ valid: false, errorCount: 1 });
  });
});
