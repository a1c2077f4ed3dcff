import { describe, expect, it } from 'vitest';
import type { MeasureResult } from '../measure.ts';
import { type LegRun, type ReplicationLeg, summarizeReplication } from './replication.ts';

const leg = (round: number, name: ReplicationLeg, perS: number, p99: number): LegRun => ({
  round,
  leg: name,
  result: {
    perS,
    latency: { p50: p99 / 4, p99 },
    fsyncsPerOp: 0.4,
    walBytesPerOp: 1800,
    cpuMsPerOp: { postgres: 1 },
  } as unknown as MeasureResult,
});

describe('the replication section', () => {
  it('takes each ratio inside its round, then the median over the rounds', () => {
    const runs = [
      leg(0, 'sync', 300, 20),
      leg(0, 'async', 450, 10),
      leg(0, 'none', 600, 5),
      // A slow round: every leg slower, its ratios the same.
      leg(1, 'async', 150, 40),
      leg(1, 'none', 200, 20),
      leg(1, 'sync', 100, 80),
      leg(2, 'none', 500, 8),
      leg(2, 'sync', 250, 24),
      leg(2, 'async', 300, 12),
    ];
    const { figures, findings, detail } = summarizeReplication(runs);
    expect(figures.replication_sync_payouts_per_s).toBe(250);
    expect(figures.replication_async_vs_sync_throughput_ratio).toBe(1.5);
    expect(figures.replication_none_vs_sync_throughput_ratio).toBe(2);
    expect(figures.replication_sync_vs_async_p99_ratio).toBe(2);
    expect(figures.replication_sync_vs_none_p99_ratio).toBe(4);
    expect(detail.ratios.replication_none_vs_sync_throughput_ratio).toEqual([2, 2, 2]);
    expect(findings.replication).toMatch(/no standby 2× \(2–2\)/);
  });
});
