import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { SABOTAGES } from '../service/config.ts';
import { seedDemo } from '../service/demo.ts';
import { FRAUD_RULES_WIDE_OPEN } from '../service/fraud/rules.ts';
import { registerCleanup } from './cleanup.ts';
import {
  findMonitoringBinaries,
  type HaRoles,
  type Monitoring,
  type Stack,
  startMonitoring,
  startStack,
  TOPOLOGIES,
  type Topology,
} from './index.ts';
import { repoRoot } from './service.ts';
import { startControl } from './target/control.ts';
import { describeStack, stackProcesses } from './target/describe.ts';
import { sabotaged } from './target/stack-sabotages.ts';

/**
 * `npm run up`: the whole stack natively on 127.0.0.1, seeded with demo users, until Ctrl-C.
 * Everything it prints is also written to .faultline/stack.json for scripts to read, and a target
 * description of it to .faultline/target.json: `npm run faultline -- run <scenario> --target <it>`
 * runs scenarios against this stack from any clone (docs/targets.md).
 */

type Demo = Awaited<ReturnType<typeof seedDemo>>;

const say = (line = '') => process.stdout.write(`${line}\n`);

function curlExamples(stack: Stack, demo: Demo): string[] {
  const api = stack.api?.url;
  const user = demo.users.find((u) => u.accounts.length > 0);
  const account = user?.accounts[0];
  if (!api || !user || !account) return [];
  return [
    `curl -s -H 'Authorization: Bearer ${user.apiKey}' ${api}/v1/accounts/${account.id}`,
    `curl -s -X POST ${api}/v1/payouts -H 'Authorization: Bearer ${user.apiKey}' ` +
      `-H 'Idempotency-Key: ${randomUUID()}' -H 'Content-Type: application/json' ` +
      `-d '{"accountId":"${account.id}","amount":1250,"currency":"${account.currency}","destination":"DE89370400440532013000"}'`,
    `curl -s -X POST ${api}/v1/accounts/${account.id}/deposits -H 'Authorization: Bearer ${demo.operator.apiKey}' ` +
      `-H 'Idempotency-Key: ${randomUUID()}' -H 'Content-Type: application/json' ` +
      `-d '{"amount":5000,"currency":"${account.currency}"}'`,
  ];
}

/** Prometheus keeps its data here across `npm run up`s; stacks list their targets in `targets/`. */
const monitoringDir = join(repoRoot, '.faultline', 'monitoring');
const targetsDir = join(monitoringDir, 'targets');

function printMonitoring(stack: Stack, monitoring: Monitoring | undefined): void {
  const pad = (s: string) => s.padEnd(12);
  const exporters = stack.info().exporters ?? {};
  for (const [name, e] of Object.entries(exporters)) if (e) say(`  ${pad(`${name} exp.`)}${e.url}/metrics`);
  if (!monitoring) {
    say('  prometheus  not installed (apt-get install prometheus prometheus-pushgateway): not started');
    return;
  }
  say(`  ${pad('prometheus')}${monitoring.prometheusUrl}  (alerts: ${monitoring.prometheusUrl}/alerts)`);
  say(`  ${pad('pushgateway')}${monitoring.pushgatewayUrl}`);
  say('  to have scenario runs scraped and their outcomes pushed here, run them with:');
  say(`    export FAULTLINE_PUSHGATEWAY_URL=${monitoring.pushgatewayUrl} FAULTLINE_SCRAPE_DIR=${targetsDir}`);
}

/** The HA topology: who is primary and master now, and where each agent and Sentinel answers. */
function printHa(info: ReturnType<Stack['info']>, roles: HaRoles): void {
  const ha = info.ha;
  if (!ha) return;
  const pad = (s: string) => s.padEnd(12);
  const pg = ha.postgres;
  say(`  ${pad('postgres')}${info.postgres.url}  (HAProxy → the primary)`);
  for (const m of pg.members) {
    say(
      `  ${pad(`  ${m.name}`)}${(roles.postgres[m.name] ?? '?').padEnd(13)} :${m.pgPort}  patroni ${m.restUrl}`,
    );
  }
  say(`  ${pad('  etcd')}${pg.etcd.url}  (ttl ${pg.settings.ttl} s, loop_wait ${pg.settings.loopWait} s)`);
  const sentinels = ha.redis.sentinels.map((s) => `${s.host}:${s.port}`).join(', ');
  for (const role of ['queue', 'cache'] as const) {
    const group = ha.redis[role];
    const servers = group.servers
      .map((s) => `${s.name} :${s.port}${roles.redis[role].master === s.name ? ' (master)' : ''}`)
      .join(', ');
    say(`  ${pad(`redis ${role}`)}${group.masterName}: ${servers}`);
  }
  say(`  ${pad('sentinels')}${sentinels}`);
}

function printSummary(
  stack: Stack,
  demo: Demo,
  curl: string[],
  extra: {
    monitoring: Monitoring | undefined;
    roles: HaRoles | undefined;
    fraudRules: boolean;
    sabotage: string | undefined;
  },
): void {
  const users = demo.users;
  const info = stack.info();
  const pad = (s: string) => s.padEnd(12);
  say();
  say('faultline stack is up');
  if (info.api) say(`  ${pad('api')}${info.api.url}`);
  if (info.bank) say(`  ${pad('bank')}${info.bank.url}`);
  if (info.ha && extra.roles) {
    printHa(info, extra.roles);
  } else {
    say(`  ${pad('postgres')}${info.postgres.url}`);
    say(`  ${pad('redis queue')}${info.redisQueue.url}`);
    say(`  ${pad('redis cache')}${info.redisCache.url}`);
  }
  if (info.tls) {
    say(`  ${pad('tls')}every link above is TLS, trusting the throwaway CA ${info.tls.caFile}`);
    say(
      `  ${pad('')}(redis-cli --tls --cacert <that file> -u <url>; the roles use the faultline user's URL,`,
    );
    say(
      `  ${pad('')} serviceUrl in stack.json; the bank wants requests signed with secrets/bank-signing-key)`,
    );
  }
  say('  metrics (and /healthz) of each role:');
  for (const s of info.services) say(`    ${pad(s.name)}${s.opsUrl}/metrics`);
  printMonitoring(stack, extra.monitoring);
  say(`  ${pad('logs')}${info.logDir}`);
  say();
  say('demo users:');
  for (const user of users) {
    say(`  ${user.name}  api key ${user.apiKey}`);
    for (const a of user.accounts) say(`    account ${a.id}  ${a.currency} ${(a.balance / 100).toFixed(2)}`);
  }
  say(`  ${demo.operator.name}  api key ${demo.operator.apiKey}  (operator: may deposit into any account)`);
  const first = users.find((u) => u.accounts.length > 0);
  if (info.api && first?.accounts[0]) {
    say();
    say('for the curl examples in docs/api.md:');
    say(
      `  export API=${info.api.url} KEY=${first.apiKey} ACCOUNT=${first.accounts[0].id} OPERATOR_KEY=${demo.operator.apiKey}`,
    );
  }
  if (curl.length > 0) {
    say();
    say('try:');
    for (const c of curl) say(`  ${c}`);
  }
  say();
  say();
  say(`target description (docs/targets.md): ${targetFile}`);
  say(`  npm run faultline -- run double-debit worker-kill redis-cut lossy-bank --target ${targetFile}`);
  if (!extra.fraudRules)
    say('  fraud rules wide open, as scenarios need them (--fraud-rules keeps the service defaults)');
  if (extra.sabotage)
    say(`  SABOTAGE ${extra.sabotage}: this stack is broken on purpose (selftest --target)`);
  say();
  say(
    `written to ${relative(process.cwd(), join(repoRoot, '.faultline', 'stack.json'))}; Ctrl-C stops everything`,
  );
}

const targetFile = join(repoRoot, '.faultline', 'target.json');

const USAGE = `usage: npm run up [-- --tls | --topology single|ha] [--sabotage NAME] [--fraud-rules]
  --tls            encrypt and authenticate every link: a throwaway CA, PostgreSQL with
                   sslmode=verify-full, both Redis on TLS with ACL users, the bank over HTTPS with
                   signed requests
  --topology ha    PostgreSQL as a Patroni cluster (primary, synchronous and asynchronous standby, etcd)
                   behind HAProxy, each Redis with a replica and three Sentinels (docs/failover.md);
                   single (the default) runs one server of each
  --sabotage NAME  start a deliberately broken service (one of: ${SABOTAGES.join(', ')}),
                   named in the target description, for selftest --target
  --fraud-rules    keep the service's fraud rules (by default they are wide open, as scenarios need:
                   double-debit pays out a thousand times from one account)`;

/** The options, or a usage error (exit 2). */
function parseUpArgs(): {
  tls: boolean;
  topology: Topology;
  sabotage: string | undefined;
  fraudRules: boolean;
} {
  try {
    const { values } = parseArgs({
      options: {
        tls: { type: 'boolean', default: false },
        topology: { type: 'string', default: 'single' },
        sabotage: { type: 'string' },
        'fraud-rules': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      say(USAGE);
      process.exit(0);
    }
    const topology = values.topology as Topology;
    if (!TOPOLOGIES.includes(topology))
      throw new Error(
        `--topology must be ${TOPOLOGIES.join(' or ')}, not ${JSON.stringify(values.topology)}`,
      );
    if (values.tls && topology === 'ha') throw new Error('--tls and --topology ha do not go together yet');
    if (values.sabotage !== undefined && !(SABOTAGES as readonly string[]).includes(values.sabotage))
      throw new Error(`unknown sabotage "${values.sabotage}"`);
    return { tls: values.tls, topology, sabotage: values.sabotage, fraudRules: values['fraud-rules'] };
  } catch (err) {
    process.stderr.write(`npm run up: ${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const { tls, topology, sabotage, fraudRules } = parseUpArgs();
  let stack: Stack | undefined;
  let monitoring: Monitoring | undefined;
  // Registered first so it runs last, after the stack has stopped.
  registerCleanup(async () => {
    await monitoring?.stop();
    if (stack) say(`stack stopped; data and logs kept in ${relative(process.cwd(), stack.dir)}`);
  });
  const binaries = findMonitoringBinaries();
  const monitor = Boolean(binaries.prometheus && binaries.pushgateway);
  try {
    if (monitor) {
      // Target files of stacks from an earlier session point at ports nobody listens on any more.
      rmSync(targetsDir, { recursive: true, force: true });
      monitoring = await startMonitoring({ dir: monitoringDir, targetsDir, scrapeIntervalSeconds: 5 });
      say(`prometheus ready on ${monitoring.prometheusUrl}, pushgateway on ${monitoring.pushgatewayUrl}`);
    }
    stack = await startStack({
      log: (line) => say(line),
      tls,
      topology,
      // Proxies in every link (where the topology has them), so that scenarios run against this stack
      // can cut and slow them.
      proxies: topology === 'single',
      ...sabotaged(sabotage, { env: fraudRules ? {} : FRAUD_RULES_WIDE_OPEN }),
      ...(monitor ? { scrape: { targetsDir } } : {}),
    });
  } catch (err) {
    await monitoring?.stop();
    process.stderr.write(`\nnpm run up: the stack did not start:\n${(err as Error).message}\n`);
    process.exit(1);
  }
  let demo: Demo;
  try {
    demo = await seedDemo(stack.postgres.url);
  } catch (err) {
    process.stderr.write(`\nnpm run up: seeding the demo users failed: ${(err as Error).stack ?? err}\n`);
    await stack.stop();
    await monitoring?.stop();
    process.exit(1);
  }
  const curl = curlExamples(stack, demo);
  const roles = await stack.ha?.roles();
  mkdirSync(join(repoRoot, '.faultline'), { recursive: true });
  // The control listener the description's commands call: test users, and process kills and restarts.
  const running = stack;
  const pool = new pg.Pool({ connectionString: stack.postgres.url, max: 2 });
  pool.on('error', () => {});
  const control = await startControl({
    pool,
    process: (name) => stackProcesses(running).find((p) => p.name === name)?.proc,
  });
  registerCleanup(async () => {
    rmSync(targetFile, { force: true });
    await control.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
  });
  const description = describeStack(stack, {
    name: `reference stack (npm run up in ${repoRoot})`,
    operatorKey: demo.operator.apiKey,
    control,
    ...(sabotage ? { sabotage } : {}),
  });
  // 0600: it holds the operator's key and the control listener's token.
  writeFileSync(targetFile, `${JSON.stringify(description, null, 2)}\n`, { mode: 0o600 });
  writeFileSync(
    join(repoRoot, '.faultline', 'stack.json'),
    `${JSON.stringify(
      {
        ...stack.info(),
        ...(roles ? { roles } : {}),
        ...(monitoring
          ? { prometheus: monitoring.prometheusUrl, pushgateway: monitoring.pushgatewayUrl, targetsDir }
          : {}),
        target: targetFile,
        demoUsers: demo.users,
        operator: demo.operator,
        curl,
      },
      null,
      2,
    )}\n`,
  );
  printSummary(stack, demo, curl, { monitoring, roles, fraudRules, sabotage });
  for (const service of stack.services) {
    void service.exited.then((status) => {
      if (status.code === 0 && !status.signal) return;
      say(`${service.name} exited (${status.signal ?? `code ${status.code}`}); its log: ${service.logFile}`);
    });
  }
  // Ctrl-C is how this program is meant to end: the cleanup handler stops the stack, then exits 0.
  process.exitCode = 0;
  setInterval(() => undefined, 1 << 30);
}

void main();
