import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JUNIT_FILE, RESULT_FILE } from '../report/result.ts';
import { parseResult } from '../report/schema.ts';
import { Progress } from '../report/terminal.ts';
import { parseDescription } from '../target/description.ts';
import { runScenario } from './runner.ts';
import type { Scenario } from './scenario.ts';

const out = mkdtempSync(join(tmpdir(), 'faultline-skip-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

let ran = false;
const needsWorkers: Scenario = {
  name: 'kills-workers',
  summary: 'kills workers',
  checks: ['holds'],
  faults: ['kill'],
  needs: ['users', 'kill:worker', 'native:queue'],
  sabotages: [],
  plan: () => ({ workers: 1, recon: false, proxies: false, env: {} }),
  async run() {
    ran = true;
    return { checks: [{ name: 'holds', description: 'always', valid: true, errorCount: 0 }], figures: {} };
  },
};

describe('runScenario against a described target', () => {
  it('skips a scenario whose needs the description lacks, naming each, without touching the target', async () => {
    const description = parseDescription(
      { name: 'api only', api: { urls: ['http://127.0.0.1:9'] }, users: { create: 'false' } },
      'test',
    );
    const result = await runScenario(needsWorkers, {
      scale: 'ci',
      seed: 1,
      outDir: out,
      sabotage: null,
      target: { mode: 'black-box', file: '/nowhere/target.json', description },
      progress: new Progress({ stream: { write: () => true } }),
    });
    expect(ran).toBe(false);
    expect(result.verdict).toBe('skipped');
    expect(result.target).toEqual({ name: 'api only', mode: 'black-box', file: '/nowhere/target.json' });
    expect(result.skipped?.map((s) => s.split(': ')[0])).toEqual(['kill:worker', 'native:queue']);
    const written = parseResult(JSON.parse(readFileSync(join(out, result.runId, RESULT_FILE), 'utf8')));
    expect(written.verdict).toBe('skipped');
    expect(readFileSync(join(out, result.runId, JUNIT_FILE), 'utf8')).toMatch(
      /<skipped message="the target lacks kill:worker/,
    );
  });
});
