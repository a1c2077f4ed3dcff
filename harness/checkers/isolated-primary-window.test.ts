import { describe, expect, it } from 'vitest';
import { isolatedPrimaryWindow } from './isolated-primary-window.ts';

describe('isolatedPrimaryWindow', () => {
  it('accepts a primary that stops acknowledging at the cut (synchronous replication)', () => {
    const commits = [
      { invokedAt: 800, acknowledgedAt: 820 },
      { invokedAt: 900, acknowledgedAt: 1_004 },
      // Hung waiting for the synchronous standby it can no longer reach, then failed at the demotion.
      { invokedAt: 1_100, acknowledgedAt: null },
    ];
    const result = isolatedPrimaryWindow(commits, { cutAt: 1_000, ttlMs: 10_000 });
    expect(result).toMatchObject({ name: 'isolated-primary-window', valid: true, errorCount: 0 });
    expect(result.figures).toMatchObject({ acknowledged_after_cut: 1, commit_window_ms: 4 });
  });

  it('flags a primary that kept acknowledging commits past the TTL (split brain)', () => {
    const commits = [1_050, 5_000, 10_900, 11_500, 14_000].map((t) => ({
      invokedAt: t - 10,
      acknowledgedAt: t,
    }));
    const result = isolatedPrimaryWindow(commits, { cutAt: 1_000, ttlMs: 10_000 });
    expect(result).toMatchObject({ valid: false, errorCount: 2 });
    expect(result.figures).toMatchObject({ acknowledged_after_cut: 5, commit_window_ms: 13_000 });
    expect(result.worst).toEqual({ invokedAt: 13_990, acknowledgedAt: 14_000, afterCutMs: 13_000 });
  });
});
