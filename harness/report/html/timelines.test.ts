import { describe, expect, it } from 'vitest';
import { op } from '../../checkers/test-fixtures.ts';
import type { Sample } from '../../core/sample.ts';
import { buildTimelines, hasData } from './timelines.ts';

const sample = (t: number, lockCount: number, fastCount: number, extra: Partial<Sample> = {}): Sample => ({
  t,
  // Cumulative: `fastCount` waits ≤ 1 ms, the rest ≤ 100 ms.
  lockWait: {
    buckets: [
      [0.001, fastCount],
      [0.1, lockCount],
    ],
    count: lockCount,
    sum: 0,
  },
  queue: { waiting: 3, active: 1, delayed: 0 },
  inFlight: { transfers: 2, amountCents: 200 },
  costMs: 4,
  ...extra,
});

describe('buildTimelines', () => {
  const ops = [
    op('payout', { at: 5_000, until: 5_100 }),
    op('payout', { at: 5_200, until: 5_300, type: 'fail', status: 422 }),
    op('payout', { at: 5_400, until: 7_900 }),
    op('payout', { at: 6_000, type: 'info' }), // never answered: not in the timelines
  ];
  const t = buildTimelines({
    ops,
    samples: [
      sample(5_000, 0, 0),
      sample(6_000, 10, 10),
      sample(7_000, 10, 10, { queue: null }),
      sample(8_000, 30, 10),
    ],
    faults: [{ kind: 'kill', target: 'worker-1', startedAt: 6_500, endedAt: null }],
  });
  const chart = (id: string) => t.charts.find((c) => c.id === id);

  it('starts a second before the first activity and ends with the last', () => {
    expect([t.start, t.end]).toEqual([4, 8]);
    expect(t.faults).toEqual([{ from: 6.5, to: null, label: 'kill worker-1' }]);
  });

  it('counts completions per second by outcome, in half-second buckets for a short run', () => {
    const ops = chart('ops');
    expect(ops?.x.slice(0, 4)).toEqual([4.5, 5, 5.5, 6]);
    const at = (label: string, x: number) =>
      ops?.series.find((s) => s.label.startsWith(label))?.values[ops.x.indexOf(x)];
    expect([at('accepted', 5.5), at('refused', 5.5), at('unknown', 5.5)]).toEqual([2, 2, 0]);
    expect(at('accepted', 8)).toBe(2);
  });

  it('gives latency quantiles per bucket and gaps where nothing completed', () => {
    const latency = chart('latency');
    const p99 = latency?.series.find((s) => s.label === 'p99')?.values ?? [];
    expect(p99[latency?.x.indexOf(5.5) ?? -1]).toBe(100);
    expect(p99[latency?.x.indexOf(8) ?? -1]).toBe(2500);
    expect(p99[latency?.x.indexOf(6.5) ?? -1]).toBeNull();
  });

  it('turns cumulative lock-wait histograms into quantiles between samples', () => {
    const [p50, p99] = chart('lock-wait')?.series.map((s) => s.values) ?? [];
    expect(p50).toEqual([null, 0.5, null, 50.5]);
    expect(p99?.[3]).toBeCloseTo(99.01, 1);
    expect(chart('queue')?.series[0]?.values).toEqual([3, 3, null, 3]);
    expect(chart('in-flight')?.series.map((s) => s.values[0])).toEqual([200, 2]);
    expect(t.charts.every(hasData)).toBe(true);
  });

  it('has nothing to draw without samples', () => {
    const empty = buildTimelines({ ops: [], samples: [], faults: [] });
    expect(empty.charts.filter(hasData)).toEqual([]);
  });
});
