import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../lib/repo-root.ts';
import type { ScenarioResult } from '../report/result.ts';
import { sampleResult } from '../report/test-fixtures.ts';
import { explainAll } from './evaluate.ts';
import { ITEMS } from './items/index.ts';
import { latestRuns } from './latest-runs.ts';

function writeRun(out: string, result: ScenarioResult | Record<string, unknown>): void {
  const dir = join(out, String(result.runId));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'result.json'), JSON.stringify(result));
}

const doubleDebit = (over: Partial<ScenarioResult>) =>
  sampleResult({
    scenario: 'double-debit',
    figures: { lock_wait_ms_p50: 1.5, lock_wait_ms_p99: 313, lock_wait_max_le_ms: 1000 },
    checks: [
      {
        name: 'exact-debits',
        description: 'x',
        valid: true,
        errorCount: 0,
        figures: { debited: 100, expected_settled: 100 },
      },
    ],
    ...over,
  });

describe('explain', () => {
  let out: string;
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'faultline-explain-'));
    writeRun(out, doubleDebit({ runId: 'a-old-pass', startedAt: '2026-01-01T10:00:00.000Z' }));
    // Newer, but a failing run loses to a passing one; sabotage and error runs never count.
    writeRun(
      out,
      doubleDebit({ runId: 'b-new-fail', startedAt: '2026-01-02T10:00:00.000Z', verdict: 'fail' }),
    );
    writeRun(
      out,
      doubleDebit({ runId: 'c-sabotage', startedAt: '2026-01-03T10:00:00.000Z', sabotage: 'no-row-lock' }),
    );
    writeRun(out, doubleDebit({ runId: 'd-error', startedAt: '2026-01-04T10:00:00.000Z', verdict: 'error' }));
    // A --tls run counts for the items that ask for one, and never stands in for a plain run.
    writeRun(
      out,
      sampleResult({
        runId: '2026-01-04T11-00-00-000Z-postgres-crash-seed1-tls',
        startedAt: '2026-01-04T11:00:00.000Z',
        scenario: 'postgres-crash',
        figures: { api_ready_after_crash_ms: 2400 },
        checks: [],
      }),
    );
    // A selftest run stands only for the measures that name its sabotage: what the broken variant lost.
    writeRun(
      out,
      sampleResult({
        runId: 'e-pg-failover-sabotage',
        startedAt: '2026-01-04T12:00:00.000Z',
        scenario: 'pg-failover',
        sabotage: 'async-standby',
        verdict: 'fail',
        figures: {},
        checks: [
          {
            name: 'acknowledged-durable',
            description: 'x',
            valid: false,
            errorCount: 4,
            figures: { acknowledged: 1896, found: 1892 },
          },
        ],
      }),
    );
    // A bench result as bench/result.ts fixes it.
    writeRun(out, {
      schemaVersion: 1,
      kind: 'bench',
      runId: '2026-01-05T10-00-00-000Z-bench',
      startedAt: '2026-01-05T10:00:00.000Z',
      durationMs: 1,
      options: { rounds: 3, durationS: 10, quick: false },
      machine: { cpus: 2 },
      figures: {
        drain_2000_bank_25ms_per_s: 1850,
        drain_2000_bank_25ms_ratio: 0.93,
        users_10k_knee_per_s: 900,
      },
      ranges: { drain_2000_bank_25ms_per_s: [1700, 1900] },
      findings: { users_10k_first_limit: 'pool waits' },
      sections: {},
    });
    mkdirSync(join(out, 'no-result-here'));
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('takes the newest passing real run of a scenario, and the newest bench', () => {
    const runs = latestRuns(out);
    expect(runs.scenarios.get('double-debit')?.runId).toBe('a-old-pass');
    expect(runs.scenarios.get('double-debit with no-row-lock')?.runId).toBe('c-sabotage');
    expect(runs.scenarios.get('pg-failover')).toBeUndefined();
    expect(runs.bench?.runId).toBe('2026-01-05T10-00-00-000Z-bench');
  });

  it('resolves run, check and bench figures with their units, ranges and findings', () => {
    const all = explainAll(ITEMS, latestRuns(out), { scenarios: new Set(['double-debit']), bench: false });
    const db1 = all.find((e) => e.item.id === 'db-1');
    expect(db1?.measured).toBe(true);
    expect(db1?.measures[0]?.figures.map((f) => f.text)).toEqual([
      'debited 100 (exact-debits)',
      'lock wait p50 1.5 ms',
      'lock wait p99 313 ms',
      'lock wait max ≤ 1 s',
    ]);
    expect(db1?.measures[0]?.run).toMatchObject({ runId: 'a-old-pass', verdict: 'pass' });
    const answer6 = all.find((e) => e.item.id === 'answer-6')?.measures[0];
    expect(answer6?.figures.map((f) => f.text)).toEqual([
      'drain 2000 bank 25ms 1.85k/s (1.7k/s–1.9k/s)',
      'drain 2000 bank 25ms 0.93×',
    ]);
    expect(answer6?.available).toBe(false);
    // What the newest bench did not measure is named, with the command that does.
    expect(answer6?.missing).toContain('drain_10000_bank_100ms_ratio');
    expect(answer6?.command).toBe('npm run bench');
    const general3 = all.find((e) => e.item.id === 'general-3')?.measures[0];
    expect(general3?.figures.map((f) => f.text)).toContain('users 10k first limit: pool waits');
    const general6 = all.find((e) => e.item.id === 'general-6');
    expect(general6?.measured).toBe(true);
    expect(general6?.measures[1]).toMatchObject({
      command: 'npm run faultline -- run postgres-crash --tls',
      run: { runId: '2026-01-04T11-00-00-000Z-postgres-crash-seed1-tls' },
    });
    expect(all.find((e) => e.item.id === 'db-7')?.measured).toBe(false);
    // general-2 reads what the asynchronous standby lost from the selftest run, and only there.
    const general2 = all.find((e) => e.item.id === 'general-2');
    const lost = general2?.measures.find((m) => m.measure.kind === 'scenario' && m.measure.sabotage);
    expect(lost).toMatchObject({
      command: 'npm run faultline -- selftest pg-failover',
      run: { runId: 'e-pg-failover-sabotage' },
    });
    expect(lost?.figures.map((f) => f.value)).toEqual([4, 1896]);
    expect(general2?.measures[0]?.run).toBeNull();
    // Nothing ran deadlock: not measured, with the command that would measure it.
    const db3 = all.find((e) => e.item.id === 'db-3');
    expect(db3).toMatchObject({
      measured: false,
      measures: [{ command: 'npm run faultline -- run deadlock' }],
    });
  });

  it('prints every item of the sheet as JSON, each measured or with its command', () => {
    const json = execFileSync(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'harness/cli.ts'), 'explain', '--json', '--out', out],
      { cwd: repoRoot, encoding: 'utf8' },
    );
    const parsed = JSON.parse(json);
    expect(parsed.total).toBe(35);
    expect(parsed.items.map((i: { id: string }) => i.id)).toEqual(ITEMS.map((i) => i.id));
    for (const item of parsed.items) {
      const commands = item.measures.map((m: { command: string }) => m.command);
      expect(item.measured || commands.length > 0 || item.unmeasured, item.id).toBeTruthy();
    }
    expect(parsed.measured).toBe(parsed.items.filter((i: { measured: boolean }) => i.measured).length);
    expect(parsed.notMeasured).toContain('db-3');
    const one = JSON.parse(
      execFileSync(
        process.execPath,
        ['--import', 'tsx', join(repoRoot, 'harness/cli.ts'), 'explain', 'db-1', '--json', '--out', out],
        { cwd: repoRoot, encoding: 'utf8' },
      ),
    );
    expect(one).toMatchObject({ id: 'db-1', measured: true });
    // Two CLI start-ups through tsx: on a busy machine, each can take longer than a default test.
  }, 120_000);
});
