import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fundedUser, startRole, type TestEnv, testEnv } from '../../service/test/harness.ts';
import { type ExporterHandle, findPostgresExporter, startPostgresExporter } from '../../stack/exporters.ts';
import type { ServiceHandle } from '../../stack/index.ts';
import { runTool, skipReason, tool } from '../tools.ts';

/**
 * `promtool check metrics` on the /metrics of every role, as Prometheus will scrape it, and on the
 * series our custom Postgres exporter queries add (prometheus/postgres-exporter-queries.yml). Each must
 * exit 0: no parse error and no lint problem, prom-client's defaults included (service/node-metrics.ts).
 */
const promtool = tool('promtool');

function lint(text: string) {
  const r = runTool(promtool as string, ['check', 'metrics'], { input: text });
  return { status: r.status, output: r.output.trim() };
}

/** The families whose names start with `prefix`, with their HELP and TYPE lines. */
function families(text: string, prefix: string): string {
  return text
    .split('\n')
    .filter(
      (l) => l.startsWith(prefix) || l.startsWith(`# HELP ${prefix}`) || l.startsWith(`# TYPE ${prefix}`),
    )
    .join('\n')
    .concat('\n');
}

describe.skipIf(!promtool)(promtool ? 'promtool check metrics' : skipReason('promtool', 'prometheus'), () => {
  let t: TestEnv;
  const roles: ServiceHandle[] = [];
  let exporter: ExporterHandle | undefined;
  beforeAll(async () => {
    t = await testEnv();
    for (const role of ['api', 'relay', 'worker', 'recon'] as const) roles.push(await startRole(t, role));
    exporter = await startPostgresExporter({ dir: t.dir, databaseUrl: t.config.DATABASE_URL });
  }, 120_000);
  afterAll(async () => {
    await Promise.all([...roles, ...(exporter ? [exporter] : [])].map((r) => r.stop()));
    await t?.close();
  });

  it('the lint is strict: a gauge named like a counter fails it', () => {
    const r = lint('# HELP x_total a gauge\n# TYPE x_total gauge\nx_total 1\n');
    expect(r.status, r.output).not.toBe(0);
  });

  it.each(['bank', 'api', 'relay', 'worker', 'recon'])('%s serves metrics promtool accepts', async (name) => {
    const url = name === 'bank' ? inject('stack').bank.opsUrl : roles.find((r) => r.role === name)?.opsUrl;
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(/^# TYPE /m);
    expect(text).toMatch(/^nodejs_active_handles\{/m);
    const r = lint(text);
    expect(r, r.output).toEqual({ status: 0, output: '' });
  });

  it.skipIf(!findPostgresExporter() && !process.env.CI)(
    'the exporter queries add series promtool accepts',
    async () => {
      if (!exporter)
        throw new Error('prometheus-postgres-exporter is not installed, and CI must run this check');
      // A status with no transfer is no series: give the query a row to count.
      const u = await fundedUser(t, { balance: 0 });
      await t.pool.query(
        `INSERT INTO bank_transfers (user_id, account_id, amount, currency, destination) VALUES ($1, $2, 1, 'USD', 'X')`,
        [u.userId, u.accountId],
      );
      const text = await (await fetch(`${exporter.url}/metrics`)).text();
      const ours = families(text, 'faultline_');
      expect(ours).toMatch(/^# TYPE faultline_transfers gauge$/m);
      const r = lint(ours);
      expect(r, r.output).toEqual({ status: 0, output: '' });
    },
  );
});
