import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../stack/service.ts';
import { benchFigureNames } from '../figure-names.ts';
import { parseOptions } from '../options.ts';
import { benchResultSchema, CHART_FILE, RESULT_FILE } from '../result.ts';

/**
 * `npm run bench -- --quick` end to end, on its own stack: the shape of what it writes, never how fast
 * anything was. Runs in the `bench` vitest project, after every other test file.
 */

const out = mkdtempSync(join(tmpdir(), 'faultline-bench-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('npm run bench -- --quick', () => {
  it('writes a schema-valid result.json with every reserved figure, finite positive ratios, and a chart', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/cli.ts', '--quick', '--out', out], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 420_000,
    });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/round 1 of 1/);
    expect(run.stdout).toMatch(/findings:/);

    const dirs = readdirSync(out).filter((d) => d.includes('bench-quick'));
    expect(dirs).toHaveLength(1);
    const dir = join(out, dirs[0] as string);
    const result = benchResultSchema.parse(JSON.parse(readFileSync(join(dir, RESULT_FILE), 'utf8')));
    expect(result.options).toMatchObject({ quick: true, rounds: 1 });

    for (const name of [
      'hot_api_db_payouts_per_s',
      'hot_api_db_ratio',
      'hot_pipeline_ratio',
      'spread_api_db_ratio',
      'spread_pipeline_ratio',
      'pipeline_settled_ratio',
      'idempotency_cost_ratio',
      'cpu_ms_per_settled_payout',
      'cpu_ms_per_payout_api',
      'cpu_ms_per_payout_postgres',
      'fsyncs_per_payout',
      'wal_bytes_per_payout',
      'hot_lock_wait_ms_p99',
      'contention_1_accounts_per_s',
      'contention_64_accounts_per_s',
      'worker_concurrency_knee',
      'users_1k_knee_per_s',
    ]) {
      expect(result.figures, name).toHaveProperty(name);
    }
    // Every name explain may point at (bench/figure-names.ts), as this run's options give them.
    const names = benchFigureNames(parseOptions(['--quick', '--out', out]));
    for (const name of names.figures) expect(result.figures, name).toHaveProperty(name);
    for (const name of names.findings) expect(result.findings, name).toHaveProperty(name);
    const ratios = Object.entries(result.figures).filter(([k]) => k.endsWith('_ratio'));
    expect(ratios.length).toBeGreaterThanOrEqual(8);
    for (const [name, value] of ratios) {
      expect(Number.isFinite(value) && value > 0, `${name} = ${value}`).toBe(true);
    }
    for (const r of result.sections.ratios) expect(r.median, r.name).toBeGreaterThan(0);
    expect(result.sections.drains.length).toBe(4);
    expect(result.findings).toHaveProperty('users_1k_first_limit');
    expect(result.findings).toHaveProperty('worker_concurrency_50');

    expect(existsSync(join(dir, CHART_FILE))).toBe(true);
    const svg = readFileSync(join(dir, CHART_FILE), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Contention curve');
  }, 480_000);
});
