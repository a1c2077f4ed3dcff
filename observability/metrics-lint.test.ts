import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startRole, type TestEnv, testEnv } from '../service/test/harness.ts';
import type { ServiceHandle } from '../stack/index.ts';
import { runTool, skipReason, tool } from './tools.ts';

/**
 * `promtool check metrics` on the /metrics of every role, as Prometheus will scrape it. Parse errors
 * fail; so do lint problems, except those of prom-client's default Node.js metrics, which we do not
 * name: three gauges of it end in _total.
 */
const PROM_CLIENT_DEFAULTS = [
  'nodejs_active_handles_total non-counter metrics should not have "_total" suffix',
  'nodejs_active_requests_total non-counter metrics should not have "_total" suffix',
  'nodejs_active_resources_total non-counter metrics should not have "_total" suffix',
];

const promtool = tool('promtool');

describe.skipIf(!promtool)(promtool ? 'promtool check metrics' : skipReason('promtool', 'prometheus'), () => {
  let t: TestEnv;
  const roles: ServiceHandle[] = [];
  beforeAll(async () => {
    t = await testEnv();
    for (const role of ['api', 'relay', 'worker', 'recon'] as const) roles.push(await startRole(t, role));
  }, 120_000);
  afterAll(async () => {
    await Promise.all(roles.map((r) => r.stop()));
    await t?.close();
  });

  it.each(['bank', 'api', 'relay', 'worker', 'recon'])('%s serves metrics promtool accepts', async (name) => {
    const url = name === 'bank' ? inject('stack').bank.opsUrl : roles.find((r) => r.role === name)?.opsUrl;
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(/^# TYPE /m);
    const r = runTool(promtool as string, ['check', 'metrics'], { input: text });
    // 0: clean; 3: lint problems only; 1: the exposition does not even parse.
    expect([0, 3], r.output).toContain(r.status);
    const problems = r.output
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !PROM_CLIENT_DEFAULTS.includes(l));
    expect(problems).toEqual([]);
  });
});
