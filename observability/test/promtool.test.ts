import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nativePrometheusConfig } from '../../stack/prometheus-config.ts';
import { repoRoot } from '../../stack/service.ts';
import { runTool, skipReason, tool } from '../tools.ts';

// Debian's promtool (Prometheus 2.42): the config must hold for it as well as for the compose image.
const promtool = tool('promtool');
const dir = mkdtempSync(join(tmpdir(), 'faultline-promtool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!promtool)(promtool ? 'promtool' : skipReason('promtool', 'prometheus'), () => {
  const run = (...args: string[]) => runTool(promtool as string, args);

  it('accepts the compose stack config (observability/prometheus/prometheus.yml) and the rules it loads', () => {
    const r = run('check', 'config', 'observability/prometheus/prometheus.yml');
    expect(r.output, r.output).toMatch(/SUCCESS: observability\/prometheus\/prometheus\.yml is valid/);
    expect(r.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(r.status, r.output).toBe(0);
  });

  it('accepts the config the native stack generates (stack/prometheus-config.ts)', () => {
    const file = join(dir, 'prometheus.yml');
    const config = nativePrometheusConfig({
      targetsDir: join(dir, 'targets'),
      self: '127.0.0.1:9090',
      pushgateway: '127.0.0.1:9091',
    });
    writeFileSync(file, JSON.stringify(config));
    const r = run('check', 'config', file);
    expect(r.status, r.output).toBe(0);
  });

  it('accepts every rule file', () => {
    const r = run('check', 'rules', 'observability/prometheus/rules/faultline.yml');
    expect(r.status, r.output).toBe(0);
  });

  it('passes the unit tests of every alert, and every alert has one', () => {
    const r = run('test', 'rules', 'observability/prometheus/tests/faultline.test.yml');
    expect(r.status, r.output).toBe(0);
    expect(r.output).toMatch(/SUCCESS/);
  });
});

it('every alert has a unit test in which it fires', () => {
  const rules = readFileSync(join(repoRoot, 'observability', 'prometheus', 'rules', 'faultline.yml'), 'utf8');
  const tests = readFileSync(
    join(repoRoot, 'observability', 'prometheus', 'tests', 'faultline.test.yml'),
    'utf8',
  );
  const alerts = [...rules.matchAll(/^\s*- alert: (\w+)$/gm)].map((m) => m[1]);
  expect(alerts.length).toBeGreaterThanOrEqual(11);
  const firing = new Set(
    [...tests.matchAll(/alertname: (\w+)\n\s+exp_alerts:\n\s+- exp_labels:/g)].map((m) => m[1]),
  );
  expect(alerts.filter((a) => !firing.has(a))).toEqual([]);
});
