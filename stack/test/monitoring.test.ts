import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { findPostgresExporter, findRedisExporter } from '../exporters.ts';
import { startStack } from '../index.ts';
import { findMonitoringBinaries, startMonitoring } from '../monitoring.ts';
import type { TargetGroup } from '../scrape-targets.ts';

/**
 * A stack started with `scrape` lists itself in a file_sd target file, and a native Prometheus
 * (startMonitoring) scrapes every process in it with the labels the dashboards use.
 */
const dir = mkdtempSync(join(tmpdir(), 'faultline-monitoring-test-'));
// PostgreSQL's unprivileged account must be able to pass through it.
chmodSync(dir, 0o711);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const binaries = findMonitoringBinaries();
const installed = Boolean(
  binaries.prometheus && binaries.pushgateway && findPostgresExporter() && findRedisExporter(),
);

describe.skipIf(!installed && !process.env.CI)('native monitoring', () => {
  it('scrapes a stack started with scrape targets, then forgets it when it stops', async () => {
    const monitoring = await startMonitoring({ dir: join(dir, 'monitoring'), scrapeIntervalSeconds: 1 });
    try {
      const stack = await startStack({
        dir: join(dir, 'stack'),
        roles: ['bank'],
        scrape: { targetsDir: monitoring.targetsDir, labels: { scenario: 'monitoring-test' } },
      });
      const file = join(monitoring.targetsDir, 'stack.json');
      try {
        const groups = JSON.parse(readFileSync(file, 'utf8')) as TargetGroup[];
        expect(groups.map((g) => `${g.labels.job}/${g.labels.instance}`).sort()).toEqual([
          'bank/bank',
          'postgres/postgres',
          'redis/redis-cache',
          'redis/redis-queue',
        ]);
        expect(groups.every((g) => g.labels.scenario === 'monitoring-test')).toBe(true);

        const up = async () => {
          const res = await fetch(
            `${monitoring.prometheusUrl}/api/v1/query?query=${encodeURIComponent('up{scenario="monitoring-test"} == 1')}`,
          );
          const json = (await res.json()) as { data: { result: Array<{ metric: Record<string, string> }> } };
          return json.data.result.map((r) => r.metric.instance ?? '').sort();
        };
        const deadline = Date.now() + 30_000;
        let seen: string[] = [];
        while (Date.now() < deadline) {
          seen = await up();
          if (seen.length === 4) break;
          await sleep(500);
        }
        expect(seen).toEqual(['bank', 'postgres', 'redis-cache', 'redis-queue']);
        const pgUp = await fetch(`${monitoring.prometheusUrl}/api/v1/query?query=pg_up`).then((r) =>
          r.json(),
        );
        expect(JSON.stringify(pgUp)).toContain('"1"');
      } finally {
        await stack.stop();
      }
      expect(existsSync(file)).toBe(false);
    } finally {
      await monitoring.stop();
    }
  }, 120_000);
});
