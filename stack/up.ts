import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { seedDemo } from '../service/demo.ts';
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

/**
 * `npm run up` / `npm start`: the whole stack natively on 127.0.0.1, seeded with demo users, until
 * Ctrl-C. Everything it prints is also written to .faultline/stack.json for scripts to read.
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
  monitoring: Monitoring | undefined,
  roles: HaRoles | undefined,
): void {
  const users = demo.users;
  const info = stack.info();
  const pad = (s: string) => s.padEnd(12);
  say();
  say('faultline stack is up');
  if (info.api) say(`  ${pad('api')}${info.api.url}`);
  if (info.bank) say(`  ${pad('bank')}${info.bank.url}`);
  if (info.ha && roles) {
    printHa(info, roles);
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
  printMonitoring(stack, monitoring);
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
  say(
    `written to ${relative(process.cwd(), join(repoRoot, '.faultline', 'stack.json'))}; Ctrl-C stops everything`,
  );
}

const USAGE = `usage: npm run up [-- --tls | --topology single|ha]
  --tls            encrypt and authenticate every link: a throwaway CA, PostgreSQL with
                   sslmode=verify-full, both Redis on TLS with ACL users, the bank over HTTPS with
                   signed requests
  --topology ha    PostgreSQL as a Patroni cluster (primary, synchronous and asynchronous standby, etcd)
                   behind HAProxy, each Redis with a replica and three Sentinels (docs/failover.md);
                   single (the default) runs one server of each`;

/** The options, or a usage error. */
function parseArgs(args: string[]): { tls: boolean; topology: Topology } {
  let tls = false;
  let topology: Topology = 'single';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--tls') tls = true;
    else if (arg === '--topology' || arg.startsWith('--topology=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[++i];
      if (!TOPOLOGIES.includes(value as Topology)) {
        throw new Error(`--topology must be ${TOPOLOGIES.join(' or ')}, not ${JSON.stringify(value ?? '')}`);
      }
      topology = value as Topology;
    } else throw new Error(`unknown argument ${arg}`);
  }
  if (tls && topology === 'ha') throw new Error('--tls and --topology ha do not go together yet');
  return { tls, topology };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    say(USAGE);
    process.exit(0);
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(args);
  } catch (err) {
    process.stderr.write(`npm run up: ${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  const { tls, topology } = parsed;
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
  writeFileSync(
    join(repoRoot, '.faultline', 'stack.json'),
    `${JSON.stringify(
      {
        ...stack.info(),
        ...(roles ? { roles } : {}),
        ...(monitoring
          ? { prometheus: monitoring.prometheusUrl, pushgateway: monitoring.pushgatewayUrl, targetsDir }
          : {}),
        demoUsers: demo.users,
        operator: demo.operator,
        curl,
      },
      null,
      2,
    )}\n`,
  );
  printSummary(stack, demo, curl, monitoring, roles);
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
