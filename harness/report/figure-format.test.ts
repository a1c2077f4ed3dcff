import { describe, expect, it } from 'vitest';
import { describeFigure, formatFigure, formatFigureValue } from './figure-format.ts';

describe('describeFigure', () => {
  it.each([
    ['lock_wait_ms_p99', { label: 'lock wait p99', unit: 'ms', bound: null }],
    ['lock_wait_max_le_ms', { label: 'lock wait max', unit: 'ms', bound: 'le' }],
    ['lock_hold_max_gt_ms', { label: 'lock hold max', unit: 'ms', bound: 'gt' }],
    ['admitted_per_s', { label: 'admitted', unit: 'per_s', bound: null }],
    ['drain_2000_bank_25ms_per_s', { label: 'drain 2000 bank 25ms', unit: 'per_s', bound: null }],
    ['cpu_ms_per_settled_payout', { label: 'cpu per settled payout', unit: 'ms', bound: null }],
    ['healthy_latency_ms_p99_baseline', { label: 'healthy latency p99 baseline', unit: 'ms', bound: null }],
    ['wal_bytes_per_payout', { label: 'wal per payout', unit: 'bytes', bound: null }],
    ['hot_api_db_ratio', { label: 'hot api db', unit: 'ratio', bound: null }],
    ['retries_per_1000_ops', { label: 'retries per 1000 ops', unit: 'count', bound: null }],
    ['kills', { label: 'kills', unit: 'count', bound: null }],
    ['in_flight_cents', { label: 'in flight', unit: 'cents', bound: null }],
  ])('reads %s', (name, expected) => {
    expect(describeFigure(name)).toEqual(expected);
  });
});

describe('formatFigure', () => {
  it('shows each value in its unit, durations scaled, a bound as ≤ or >', () => {
    expect(
      [
        ['lock_wait_ms_p99', 313.4],
        ['lock_wait_ms_p50', 0.1234],
        ['lock_wait_max_le_ms', 1000],
        ['lock_hold_max_gt_ms', 100],
        ['settle_ms', 12_345],
        ['resolve_all_ms', 125_000],
        ['admitted_per_s', 1234.5],
        ['wal_bytes_per_payout', 2150],
        ['hot_api_db_ratio', 0.8512],
        ['cpu_busy_pct', 12.5],
        ['replays', 100],
        ['api_ready_after_crash_ms', -1],
      ].map(([n, v]) => formatFigure(n as string, v as number)),
    ).toEqual([
      'lock wait p99 313 ms',
      'lock wait p50 0.123 ms',
      'lock wait max ≤ 1 s',
      'lock hold max > 100 ms',
      'settle 12.3 s',
      'resolve all 2 min 5 s',
      'admitted 1.23k/s',
      'wal per payout 2.1 KiB',
      'hot api db 0.851×',
      'cpu busy 12.5 %',
      'replays 100',
      'api ready after crash not reached',
    ]);
    expect(formatFigureValue(-3, 'count')).toBe('-3');
  });
});
