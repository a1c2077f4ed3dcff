import { describe, expect, it } from 'vitest';
import { crossings, firstLimitFinding } from './first-limit.ts';
import type { Signals } from './probes/ramp-monitor.ts';
import type { RoundReport } from './rounds.ts';
import { kneeOf, type SweepPoint, verdictOn50 } from './sections/worker-sweep.ts';
import { median, ratioTable, summarizeRounds, waitMeanings } from './summary.ts';

const round = (n: number, figures: Record<string, number>): RoundReport => ({
  round: n,
  order: [],
  results: [],
  figures,
});

describe('the summary of rounds', () => {
  it('reports the median and min–max of every figure over the rounds that have it', () => {
    const rounds = [
      round(1, { a_per_s: 10, b_ratio: 0.5 }),
      round(2, { a_per_s: 30 }),
      round(3, { a_per_s: 20, b_ratio: 0.7 }),
    ];
    const { figures, ranges } = summarizeRounds(rounds);
    expect(figures).toEqual({ a_per_s: 20, b_ratio: 0.6 });
    expect(ranges).toEqual({ a_per_s: [10, 30], b_ratio: [0.5, 0.7] });
    expect(median([4, 1, 3, 2])).toBe(2.5);
    const table = ratioTable(rounds, [{ name: 'b_ratio', numerator: 'x', denominator: 'y', what: '' }]);
    expect(table[0]).toMatchObject({ perRound: [0.5, 0.7], median: 0.6, min: 0.5, max: 0.7 });
  });

  it('groups wait events by what they mean for a payout', () => {
    const m = waitMeanings({ 'Lock:transactionid': 0.4, 'Lock:tuple': 0.2, 'IO:WALSync': 0.1, CPU: 0.3 });
    expect(m[0]).toMatchObject({ meaning: 'the row lock', events: ['Lock:transactionid', 'Lock:tuple'] });
    expect(m[0]?.share).toBeCloseTo(0.6, 9);
    expect(m.map((x) => x.meaning)).toContain('running');
    expect(waitMeanings({ 'Lock:object': 1 })[0]?.meaning).toMatch(/NOTIFY/);
  });
});

const signals = (s: Partial<Signals>): Signals => ({
  poolWaitingMean: 0,
  lagP99MaxMs: 5,
  cpuPct: { api: 30, postgres: 30 },
  machineBusyPct: 50,
  lockWaitP99Ms: 0.1,
  redisClientsMax: 12,
  redisRejected: 0,
  authShare: 0.1,
  apiActiveSamples: 100,
  notifyShare: 0.2,
  walShare: 0.1,
  apiActiveMax: 3,
  ...s,
});

describe('what broke first', () => {
  it('is the signal that crossed its threshold at the lowest rate, then the furthest past it', () => {
    const stages = [
      { perS: 100, signals: signals({}) },
      { perS: 130, signals: signals({ cpuPct: { api: 95, postgres: 40 } }) },
      {
        perS: 170,
        signals: signals({ cpuPct: { api: 99, postgres: 60 }, poolWaitingMean: 4, lagP99MaxMs: 500 }),
      },
    ];
    const found = crossings(stages);
    expect(found.map((c) => c.name)).toEqual(['api CPU', 'event-loop lag', 'pool waits']);
    expect(found[0]).toMatchObject({ stage: 1, perS: 130, value: 95 });
    expect(firstLimitFinding(found, 220)).toMatch(
      /^api CPU: 95 % of a core.* at 130\/s .*then event-loop lag at 170\/s/,
    );
    expect(firstLimitFinding([], 220)).toMatch(/none of the watched signals/);
    expect(crossings([{ perS: 1, signals: null }])).toEqual([]);
    // One active query that happened to be a key lookup is not a finding.
    expect(crossings([{ perS: 1, signals: signals({ authShare: 1, apiActiveSamples: 1 }) }])).toEqual([]);
    expect(crossings([{ perS: 1, signals: signals({ authShare: 0.6 }) }]).map((c) => c.name)).toEqual([
      'auth lookups',
    ]);
  });
});

describe('the worker concurrency knee', () => {
  const point = (concurrency: number, settledPerS: number): SweepPoint => ({
    concurrency,
    payouts: 100,
    seconds: 1,
    settledPerS,
    idealPerS: concurrency * 19,
    bankCallMs: 52,
    workerCpuMsPerPayout: 1,
    allCpuMsPerPayout: 5,
    workerCpuPct: 50,
    eventLoopLagMsP99: 12,
    redisOpsPerS: 1000,
  });

  it('is the smallest concurrency within 90 % of the best rate', () => {
    const points = [
      point(1, 19),
      point(5, 90),
      point(10, 170),
      point(25, 300),
      point(50, 320),
      point(100, 310),
    ];
    expect(kneeOf(points)).toBe(25);
    expect(verdictOn50(points)).toMatch(/^justified as headroom: 50 is on the plateau \(100%.* starts at 25/);
    expect(verdictOn50([point(10, 100), point(50, 200), point(100, 400)])).toMatch(/^too low here/);
    expect(verdictOn50([point(10, 300), point(50, 200), point(100, 290)])).toMatch(/^more than needed/);
    // Within a busy machine's noise of the best, 50 is on the plateau whatever the knee says.
    expect(verdictOn50([point(10, 47), point(50, 46), point(100, 59)])).toMatch(/^justified as headroom/);
    expect(verdictOn50([point(1, 10)])).toMatch(/not measured/);
  });
});
