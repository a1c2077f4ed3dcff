/**
 * Runs a command (by default two short scenarios; in CI the whole default suite, `npm start`) while a
 * real Prometheus and Pushgateway, started natively, scrape every scenario's stack and receive the
 * runner's pushes; then checks that every PromQL query of every Grafana dashboard returned data, or is
 * listed with a reason in observability/grafana/queries-allowed-empty.json, and that every alert rule evaluated
 * without error.
 *
 *   tsx observability/check.ts [--report FILE] [-- command args…]
 *
 * Exit: the command's own code when it failed; else 1 when a query came back empty or broken, a rule
 * failed to evaluate, or an allowance matched no query; 2 when Prometheus could not be started.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { registerCleanup } from '../stack/cleanup.ts';
import { type Monitoring, startMonitoring } from '../stack/monitoring.ts';
import { repoRoot } from '../stack/service.ts';
import {
  allowanceFor,
  checkQueries,
  type DashboardQuery,
  dashboardQueries,
  loadAllowedEmpty,
  loadDashboards,
  type QueryCheck,
} from './dashboard-queries.ts';

const SCRAPE_SECONDS = 5;
const say = (line = '') => process.stdout.write(`observability: ${line}\n`);

function parse() {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: { report: { type: 'string', default: join('runs', 'observability-check.json') } },
  });
  const command =
    positionals.length > 0
      ? positionals
      : [process.execPath, '--import', 'tsx', 'harness/cli.ts', 'run', 'double-debit', 'worker-kill'];
  return { command, report: resolve(values.report) };
}

function runCommand(command: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [file, ...args] = command;
  return new Promise((done) => {
    const child = spawn(file as string, args, { stdio: 'inherit', env, cwd: repoRoot });
    child.once('error', (err) => {
      say(`could not run ${command.join(' ')}: ${err.message}`);
      done(2);
    });
    child.once('exit', (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
}

interface RuleHealth {
  name: string;
  health: string;
  lastError?: string;
}

async function ruleHealth(prometheusUrl: string): Promise<RuleHealth[]> {
  const res = await fetch(`${prometheusUrl}/api/v1/rules`, { signal: AbortSignal.timeout(10_000) });
  const json = (await res.json()) as { data: { groups: Array<{ rules: RuleHealth[] }> } };
  return json.data.groups.flatMap((g) =>
    g.rules.map(({ name, health, lastError }) => ({ name, health, lastError })),
  );
}

const label = (q: DashboardQuery) =>
  `${q.dashboard} / ${q.panel}${q.kind === 'panel' ? ` [${q.refId}]` : ''}`;

function printChecks(checks: QueryCheck[]): void {
  const by = (v: QueryCheck['verdict']) => checks.filter((c) => c.verdict === v);
  for (const c of by('allowed-empty')) say(`  allowed empty  ${label(c.query)}: ${c.detail}`);
  for (const c of by('empty')) say(`  EMPTY          ${label(c.query)}\n                   ${c.promql}`);
  for (const c of by('error'))
    say(`  ERROR          ${label(c.query)}: ${c.detail}\n                   ${c.promql}`);
  say(
    `${checks.length} PromQL queries: ${by('data').length} returned data, ${by('allowed-empty').length} allowed empty, ` +
      `${by('empty').length} empty, ${by('error').length} broken`,
  );
}

async function main(): Promise<number> {
  const { command, report } = parse();
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'faultline-observe-'));
  let monitoring: Monitoring;
  try {
    monitoring = await startMonitoring({ dir, scrapeIntervalSeconds: SCRAPE_SECONDS });
  } catch (err) {
    say(`could not start Prometheus and the Pushgateway: ${(err as Error).message}`);
    return 2;
  }
  registerCleanup(() => monitoring.stop());
  say(`prometheus ${monitoring.prometheusUrl}, pushgateway ${monitoring.pushgatewayUrl} (${dir})`);
  const start = Date.now();
  const code = await runCommand(command, {
    ...process.env,
    FAULTLINE_PUSHGATEWAY_URL: monitoring.pushgatewayUrl,
    FAULTLINE_SCRAPE_DIR: monitoring.targetsDir,
  });
  const checkStarted = performance.now();
  // Two scrapes and a rule evaluation after the last push.
  await sleep(2 * SCRAPE_SECONDS * 1000 + 1000);

  const queries = loadDashboards().flatMap((d) => dashboardQueries(d.dashboard));
  const allowed = loadAllowedEmpty();
  const checks = await checkQueries(
    monitoring.prometheusUrl,
    queries.filter((q) => q.datasource === 'prometheus'),
    allowed,
    { start, end: Date.now() },
  );
  const unused = allowed.filter((a) => !queries.some((q) => allowanceFor(q, [a])));
  const rules = await ruleHealth(monitoring.prometheusUrl);
  const badRules = rules.filter((r) => r.health !== 'ok');
  await monitoring.stop();

  say(`command ${command.join(' ')} exited ${code}`);
  printChecks(checks);
  for (const a of unused)
    say(`  UNUSED allowance ${a.dashboard} / ${a.panel}: no dashboard query matches it`);
  say(`${rules.length} alert rules, ${badRules.length} failing to evaluate`);
  for (const r of badRules) say(`  RULE ${r.name}: ${r.health} ${r.lastError ?? ''}`);
  const failed =
    checks.some((c) => c.verdict === 'empty' || c.verdict === 'error') ||
    unused.length > 0 ||
    badRules.length > 0;
  mkdirSync(dirname(report), { recursive: true });
  writeFileSync(
    report,
    `${JSON.stringify({ command, exitCode: code, ok: !failed, rules, unusedAllowances: unused, checks }, null, 2)}\n`,
  );
  say(
    `report in ${report}; the checks took ${((performance.now() - checkStarted) / 1000).toFixed(1)} s, ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s in all`,
  );
  if (!failed) rmSync(dir, { recursive: true, force: true });
  else say(`Prometheus's data and logs kept in ${dir}`);
  if (code !== 0) return code;
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    say(`failed: ${err.stack ?? err.message}`);
    process.exit(2);
  },
);
