import { describe, expect, it } from 'vitest';
import { formatClock, formatCount, formatDuration } from './format.ts';
import { Progress, type ProgressSnapshot, progressLine, summaryTable } from './terminal.ts';
import { sampleResult } from './test-fixtures.ts';

const snapshot: ProgressSnapshot = {
  scenario: 'payout-storm',
  elapsedMs: 42_500,
  opsPerSec: 1234.5,
  ok: 10_234,
  fail: 12,
  info: 3,
  activeFault: 'partition api↔postgres',
};

function fakeStream(isTTY: boolean, columns = 200) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns, write: (s: string) => chunks.push(s) } };
}

describe('progressLine', () => {
  it('shows elapsed time, throughput, outcomes and the fault on one line', () => {
    expect(progressLine(snapshot)).toBe(
      'payout-storm  00:42  1.23k ops/s  accepted 10.2k  refused 12  unknown 3  fault: partition api↔postgres',
    );
    expect(progressLine({ ...snapshot, activeFault: null })).toMatch(/no fault$/);
  });
});

describe('Progress', () => {
  it('rewrites one line in place on a TTY, cut to the terminal width', () => {
    const { chunks, stream } = fakeStream(true, 20);
    const progress = new Progress({ stream });
    progress.update(snapshot);
    progress.update({ ...snapshot, ok: 11_000 });
    progress.done();
    expect(chunks).toEqual(['\rpayout-storm  00:42\x1b[K', '\rpayout-storm  00:42\x1b[K', '\n']);
  });

  it('prints plain lines at most once per interval elsewhere, and the last one on done', () => {
    const { chunks, stream } = fakeStream(false);
    let now = 0;
    const progress = new Progress({ stream, intervalMs: 5000, now: () => now });
    for (now = 0; now <= 10_000; now += 1000) progress.update({ ...snapshot, elapsedMs: now });
    progress.done({ ...snapshot, elapsedMs: 10_500, activeFault: null });
    expect(chunks.map((c) => c.slice(14, 19))).toEqual(['00:00', '00:05', '00:10', '00:10']);
    expect(chunks.every((c) => c.endsWith('\n') && !c.includes('\r') && !c.includes('\x1b'))).toBe(true);
  });
});

describe('summaryTable', () => {
  const results = [
    sampleResult(),
    sampleResult({
      scenario: 'replay-under-partition',
      verdict: 'fail',
      operations: { total: 7, ok: 7, fail: 0, info: 0 },
      faults: [],
      checks: [{ name: 'replays-match', description: 'x', valid: false, errorCount: 2 }],
      figures: {},
      files: { history: '/tmp/r/history.jsonl', junit: '/tmp/r/junit.xml', logs: '/tmp/r/logs' },
    }),
    sampleResult({ scenario: 'x', verdict: 'error', error: 'bank did not start\nstack', durationMs: 800 }),
  ];
  const table = summaryTable(results, { width: 80 });
  const lines = table.split('\n');
  const [header = '', , ...rows] = lines.slice(0, 2 + results.length);

  it('aligns every column under its header', () => {
    const start = (h: string) => header.indexOf(h);
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row.slice(start('checks')).match(/^\d+ passed/)).not.toBeNull();
      expect(row.slice(start('verdict'))).toMatch(/^(PASS|FAIL|ERROR) /);
      // Right-aligned numbers end where their header ends.
      for (const h of ['ops', 'accepted', 'refused', 'unknown', 'faults']) {
        expect(row[start(h) + h.length - 1]).toMatch(/\d|k/);
        expect(row[start(h) + h.length]).toBe(' ');
      }
      expect(row[start('time') + 'time'.length - 1]).toMatch(/[sm]/);
    }
  });

  it('shows operations by outcome, every figure with its unit, problems and where the files are', () => {
    expect(rows[0]).toMatch(/^payout-storm\s+12.3k\s+12k\s+300\s+45\s+1\s+2 passed\s+PASS\s+1m05s$/);
    expect(rows[1]).toMatch(/^replay-under-partition\s+7\s+7\s+0\s+0\s+0\s+0 passed, 1 failed\s+FAIL /);
    expect(table).toContain(
      [
        'figures:',
        '  payout-storm            ops 189/s · latency p99 42.3 ms · lock wait max ≤ 1 s',
        '                          payouts 4.32k · charged 1.23M ¢',
      ].join('\n'),
    );
    expect(table).toContain(
      'problems:\n  replay-under-partition: replays-match failed (2 errors)\n  x: error: bank did not start',
    );
    expect(table).not.toContain('stack');
    expect(table).toContain(
      '  payout-storm            .faultline/runs/r1/payout-storm/ (report.html, result.json, junit.xml, history.jsonl, logs/)',
    );
  });
});

describe('format', () => {
  it('formats counts, durations and clocks compactly', () => {
    expect([0, 7, 12.5, 0.125, 999, 999_950, 1500, 34_000, 5_600_000, -2500].map(formatCount)).toEqual([
      '0',
      '7',
      '12.5',
      '0.13',
      '999',
      '1M',
      '1.5k',
      '34k',
      '5.6M',
      '-2.5k',
    ]);
    expect([850, 12_340, 125_000, 3_720_000].map(formatDuration)).toEqual([
      '850ms',
      '12.3s',
      '2m05s',
      '1h02m',
    ]);
    expect([0, 42_999, 3_723_000].map(formatClock)).toEqual(['00:00', '00:42', '1:02:03']);
  });
});

describe('summaryTable, a process that did not start', () => {
  const error = [
    'pg-1 was not ready after 90 s and was killed (log: /s/logs/pg-1.log); last lines of its log:',
    ...Array.from({ length: 12 }, (_, i) => `  | line ${i + 1}`),
    '    at ManagedProcess.start (stack/process.ts:1:1)',
  ].join('\n');
  const table = summaryTable([sampleResult({ scenario: 'pg-failover', verdict: 'error', error })], {
    width: 100,
  });

  it("repeats the last lines of the process's log under its error, and no stack frame", () => {
    const problems = table.slice(table.indexOf('problems:')).split('\n');
    expect(problems[1]).toBe(`  pg-failover: error: ${error.split('\n')[0]}`);
    expect(problems.slice(2, 10)).toEqual(Array.from({ length: 8 }, (_, i) => `      | line ${i + 5}`));
    expect(table).not.toContain('ManagedProcess');
  });
});
