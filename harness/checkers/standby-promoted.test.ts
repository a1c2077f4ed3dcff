import { describe, expect, it } from 'vitest';
import { roleIntervals } from '../core/role-timeline.ts';
import { standbyPromoted } from './standby-promoted.ts';

describe('standbyPromoted', () => {
  it('accepts a standby promoted while the primary was cut off', () => {
    const intervals = roleIntervals([
      { t: 0, member: 'pg-1', role: 'primary' },
      { t: 5_000, member: 'pg-1', role: 'standby' },
      { t: 0, member: 'pg-2', role: 'standby' },
      { t: 10_500, member: 'pg-2', role: 'primary' },
      { t: 20_000, member: 'pg-2', role: 'primary' },
    ]);
    const result = standbyPromoted(intervals, { member: 'pg-1', from: 500, to: 15_000 });
    expect(result).toMatchObject({ valid: true, errorCount: 0, figures: { elected_after_ms: 10_000 } });
  });

  it('flags a cut in which no standby took over (the old primary only came back after the heal)', () => {
    const intervals = roleIntervals([
      { t: 0, member: 'pg-1', role: 'primary' },
      { t: 5_000, member: 'pg-1', role: 'standby' },
      { t: 16_000, member: 'pg-1', role: 'primary' },
      { t: 0, member: 'pg-2', role: 'standby' },
      { t: 20_000, member: 'pg-2', role: 'standby' },
    ]);
    const result = standbyPromoted(intervals, { member: 'pg-1', from: 500, to: 15_000 });
    expect(result).toMatchObject({ valid: false, errorCount: 1, figures: { elected_after_ms: -1 } });
  });
});
