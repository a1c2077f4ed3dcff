import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hitsAfter } from '../chaos/evidence.ts';
import { noFault } from '../chaos/nemesis.ts';
import { RESULT_FILE } from '../report/result.ts';
import { parseResult } from '../report/schema.ts';
import { Progress } from '../report/terminal.ts';
import { runScenario } from '../runner/runner.ts';
import type { Scenario } from '../runner/scenario.ts';

const out = mkdtempSync(join(tmpdir(), 'faultline-runner-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** A scenario whose every check holds, but whose one fault hits nothing (as a kill of an idle worker). */
const idle: Scenario = {
  name: 'idle-fault',
  summary: 'a fault that hits nothing',
  checks: ['holds'],
  faults: ['kill'],
  needs: [],
  sabotages: [],
  plan: () => ({ workers: 1, recon: false, proxies: false, env: {} }),
  async run(ctx) {
    const fault = hitsAfter({ ...noFault, kind: 'kill', target: 'worker' }, 'active jobs', () => 0);
    await ctx.nemesis.inject(fault);
    await ctx.nemesis.heal(fault);
    return { checks: [{ name: 'holds', description: 'always', valid: true, errorCount: 0 }], figures: {} };
  },
};

describe('runScenario', () => {
  it('calls a run whose checks held but whose faults hit no live work vacuous', async () => {
    const quiet = new Progress({ stream: { write: () => true } });
    const result = await runScenario(idle, {
      scale: 'ci',
      seed: 1,
      outDir: out,
      sabotage: null,
      target: { mode: 'native', tls: false },
      progress: quiet,
    });
    expect(result.verdict).toBe('vacuous');
    expect(result.vacuous).toEqual(['kill: hit no live work in 1 window(s) (worker: 0 active jobs)']);
    const written = parseResult(JSON.parse(readFileSync(join(out, result.runId, RESULT_FILE), 'utf8')));
    expect(written.faults[0]?.evidence).toEqual({ hits: 0, what: 'active jobs' });
  }, 120_000);
});
