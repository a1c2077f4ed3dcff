import { describe, expect, it } from 'vitest';
import { roleIntervals } from '../core/role-timeline.ts';
import { noTwoPrimaries } from './no-two-primaries.ts';

describe('noTwoPrimaries', () => {
  it('accepts a failover: the old primary goes down before the new one is promoted', () => {
    const intervals = roleIntervals([
      { t: 0, member: 'pg-1', role: 'primary' },
      { t: 0, member: 'pg-2', role: 'standby' },
      { t: 1_000, member: 'pg-1', role: 'primary' },
      { t: 1_250, member: 'pg-1', role: 'down' },
      { t: 1_250, member: 'pg-2', role: 'standby' },
      { t: 9_000, member: 'pg-2', role: 'primary' },
      { t: 12_000, member: 'pg-1', role: 'standby' },
      { t: 12_000, member: 'pg-2', role: 'primary' },
    ]);
    const result = noTwoPrimaries(intervals);
    expect(result).toMatchObject({ name: 'no-two-primaries', valid: true, errorCount: 0 });
    expect(result.figures).toEqual({ primary_intervals: 2, members_primary: 2, overlap_ms: 0 });
  });

  it('flags a split brain: the cut-off primary still accepts writes after a standby was promoted', () => {
    const intervals = roleIntervals([
      { t: 0, member: 'pg-1', role: 'primary' },
      { t: 0, member: 'pg-2', role: 'standby' },
      { t: 9_000, member: 'pg-2', role: 'primary' },
      { t: 9_500, member: 'pg-1', role: 'primary' },
      { t: 11_000, member: 'pg-1', role: 'primary' },
      { t: 11_200, member: 'pg-1', role: 'standby' },
      { t: 12_000, member: 'pg-2', role: 'primary' },
    ]);
    const result = noTwoPrimaries(intervals);
    expect(result).toMatchObject({ valid: false, errorCount: 1, figures: { overlap_ms: 2_000 } });
    expect(result.first).toEqual({ members: ['pg-1', 'pg-2'], from: 9_000, to: 11_000 });
  });
});
