import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMonitoringBinaries } from '../../stack/monitoring.ts';
import { freePort } from '../../stack/ports.ts';
import { ManagedProcess } from '../../stack/process.ts';
import { exposition, groupUrl, pushGauges } from '../report/pushgateway.ts';

describe('exposition', () => {
  it('writes gauges in the text format, escaping label values', () => {
    expect(
      exposition([
        {
          name: 'g',
          help: 'A gauge.\nTwo lines.',
          samples: [{ value: 1 }, { labels: { a: 'x"y\\z' }, value: 0.5 }],
        },
      ]),
    ).toBe('# HELP g A gauge.\\nTwo lines.\n# TYPE g gauge\ng 1\ng{a="x\\"y\\\\z"} 0.5\n');
  });

  it('encodes grouping labels in base64url, so any value is safe in the path', () => {
    expect(groupUrl('http://pg', { job: 'faultline', scenario: 'a/b' })).toBe(
      'http://pg/metrics/job@base64/ZmF1bHRsaW5l/scenario@base64/YS9i',
    );
  });
});

// Against the real Pushgateway (Debian's prometheus-pushgateway), when installed.
const binary = findMonitoringBinaries().pushgateway;
describe.skipIf(!binary && !process.env.CI)('a real Pushgateway', () => {
  let gateway: ManagedProcess;
  let url: string;
  const dir = mkdtempSync(join(tmpdir(), 'faultline-pushgateway-test-'));
  beforeAll(async () => {
    if (!binary) throw new Error('prometheus-pushgateway is not installed (see scripts/bootstrap.mjs)');
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    gateway = new ManagedProcess({
      name: 'pushgateway-test',
      command: binary,
      args: [`--web.listen-address=127.0.0.1:${port}`, '--persistence.file='],
      logFile: join(dir, 'pushgateway.log'),
      port,
      ready: async () => (await fetch(`${url}/-/ready`).catch(() => null))?.ok ?? false,
    });
    await gateway.start();
  });
  afterAll(async () => {
    await gateway?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts the pushes, and a later POST replaces only the families it carries', async () => {
    const grouping = { job: 'faultline', scenario: 'redis-cut', sabotage: 'none' };
    await pushGauges(url, grouping, [
      { name: 'faultline_scenario_last_success_timestamp_seconds', help: 'h', samples: [{ value: 100 }] },
      { name: 'faultline_fault_active', help: 'h', samples: [{ labels: { kind: 'cut' }, value: 1 }] },
    ]);
    await pushGauges(url, grouping, [
      { name: 'faultline_fault_active', help: 'h', samples: [{ labels: { kind: 'cut' }, value: 0 }] },
    ]);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(
      /^faultline_fault_active\{instance="",job="faultline",kind="cut",sabotage="none",scenario="redis-cut"\} 0$/m,
    );
    expect(metrics).toMatch(
      /^faultline_scenario_last_success_timestamp_seconds\{[^}]*scenario="redis-cut"[^}]*\} 100$/m,
    );
  });

  it('rejects a push it cannot take, and says why', async () => {
    await expect(
      pushGauges(url, { job: 'faultline' }, [
        { name: 'faultline_x', help: 'h', samples: [{ labels: { job: 'other' }, value: 1 }] },
        { name: 'faultline_x', help: 'h', samples: [{ labels: { job: 'other' }, value: 2 }] },
      ]),
    ).rejects.toThrow(/pushgateway answered 400/);
  });
});
