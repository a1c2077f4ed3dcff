import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SABOTAGES } from '../../service/config.ts';
import { finalState } from '../checkers/test-fixtures.ts';
import { standardChecks } from '../runner/workload.ts';
import { DEFAULT_SUITE, scenarios } from './index.ts';

const standard = standardChecks(finalState(), []).map((c) => c.name);

describe('the scenario table', () => {
  it('has unique names, every one in the default suite', () => {
    const names = scenarios.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    expect(DEFAULT_SUITE).toEqual(names);
  });

  it('selftests every sabotage the service knows somewhere', () => {
    const tested = new Set(scenarios.flatMap((s) => s.sabotages.map((c) => c.sabotage)));
    expect(SABOTAGES.filter((s) => !tested.has(s))).toEqual([]);
  });

  it.each(scenarios.map((s) => [s.name, s] as const))(
    '%s names, for each sabotage, checks it runs to catch it',
    (_, scenario) => {
      const runs = new Set([...scenario.checks, ...(scenario.checks.includes('…standard') ? standard : [])]);
      for (const { sabotage, caughtBy } of scenario.sabotages) {
        expect(caughtBy.length, sabotage).toBeGreaterThan(0);
        for (const check of caughtBy) expect(runs.has(check), `${sabotage}: ${check}`).toBe(true);
      }
    },
  );

  it('docs/targets.md lists, for each scenario, exactly what it needs from a target', () => {
    const page = readFileSync(join(import.meta.dirname, '../../docs/targets.md'), 'utf8');
    const listed = new Map(
      [...page.matchAll(/^\| `([a-z-]+)` +\| (`[^|]*`) +\|/gm)].map((m) => [
        m[1] as string,
        [...(m[2] as string).matchAll(/`([^`]+)`/g)].map((n) => n[1]),
      ]),
    );
    for (const s of scenarios) expect(listed.get(s.name), s.name).toEqual(s.needs);
  });
});
