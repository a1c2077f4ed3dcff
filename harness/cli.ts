import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Sabotage } from '../service/config.ts';
import { runDemo, UnknownDemoError } from './demo/demo-command.ts';
import { explain, explainRuns, UnknownItemError } from './explain/explain-command.ts';
import { type IndexKind, writeIndex } from './report/html/index-page.ts';
import type { ScenarioResult } from './report/result.ts';
import { summaryTable } from './report/terminal.ts';
import { runScenario } from './runner/runner.ts';
import type { Scale, Scenario } from './runner/scenario.ts';
import { selftestVerdict } from './runner/selftest-verdict.ts';
import { DEFAULT_SUITE, scenarios } from './scenarios/index.ts';

const USAGE = `usage:
  npm run faultline -- list
  npm run faultline -- run <scenario…|all> [--scale ci|full] [--seed N] [--out DIR] [--tls]
  npm run faultline -- selftest [scenario…] [--scale ci|full] [--seed N] [--out DIR] [--tls]
  npm run faultline -- explain [id] [--json] [--out DIR]
  npm run faultline -- demo <scenario> [--sabotage] [--seed N] [--out DIR]

--tls: every link encrypted and authenticated (PostgreSQL verify-full, Redis TLS with ACL users,
the bank over HTTPS with signed requests), through the same toxiproxy faults

exit codes: 0 every invariant held (selftest: every sabotage caught), 1 an invariant was violated
(selftest: a sabotage went unnoticed), 2 usage or set-up error`;

class UsageError extends Error {}

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      scale: { type: 'string', default: 'ci' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string', default: 'runs' },
      json: { type: 'boolean', default: false },
      sabotage: { type: 'boolean', default: false },
      tls: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.scale !== 'ci' && values.scale !== 'full')
    throw new UsageError(`--scale must be ci or full, not "${values.scale}"`);
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new UsageError(`--seed must be a non-negative integer, not "${values.seed}"`);
  return {
    command: positionals[0],
    names: positionals.slice(1),
    scale: values.scale as Scale,
    seed,
    out: resolve(values.out),
    json: values.json,
    sabotage: values.sabotage,
    tls: values.tls,
    help: values.help,
  };
}

function pick(names: string[]): Scenario[] {
  if (names.length === 0 || names.includes('all'))
    return scenarios.filter((s) => DEFAULT_SUITE.includes(s.name));
  return names.map((n) => {
    const s = scenarios.find((x) => x.name === n);
    if (!s)
      throw new UsageError(`unknown scenario "${n}"; known: ${scenarios.map((x) => x.name).join(', ')}`);
    return s;
  });
}

function list(): void {
  for (const s of scenarios) {
    process.stdout.write(`${s.name}\n  ${s.summary}\n  checks: ${s.checks.join(', ')}\n`);
    process.stdout.write(`  faults: ${s.faults.length ? s.faults.join(', ') : '(none)'}\n`);
    const cases = s.sabotages.map((c) => `${c.sabotage} (caught by ${c.caughtBy.join(' or ')})`);
    process.stdout.write(`  selftest sabotages: ${cases.length ? cases.join(', ') : '(none)'}\n`);
  }
}

/** Writes the suite's index.html (runs and the Questions page) and prints its path, last. */
function printIndex(kind: IndexKind, results: ScenarioResult[], out: string, startedAt: Date): void {
  try {
    const dir = join(out, `${startedAt.toISOString().replace(/[:.]/g, '-')}-${kind}`);
    const path = writeIndex(dir, { kind, results, questions: explainRuns(out), startedAt });
    process.stdout.write(`\nreport: ${path}\n`);
  } catch (err) {
    process.stderr.write(`faultline: index.html not written: ${(err as Error).stack ?? err}\n`);
  }
}

async function run(
  selected: Scenario[],
  opts: { scale: Scale; seed: number; out: string; tls: boolean },
): Promise<number> {
  const startedAt = new Date();
  const results: ScenarioResult[] = [];
  for (const s of selected) {
    process.stdout.write(
      `\n▶ ${s.name} (scale ${opts.scale}, seed ${opts.seed}${opts.tls ? ', tls' : ''})\n`,
    );
    results.push(await runScenario(s, { ...opts, outDir: opts.out, sabotage: null }));
  }
  process.stdout.write(`\n${summaryTable(results)}\n`);
  printIndex('suite', results, opts.out, startedAt);
  if (results.some((r) => r.verdict === 'error')) return 2;
  return results.every((r) => r.verdict === 'pass') ? 0 : 1;
}

/**
 * Each scenario against each of its sabotages. A sabotage counts as caught only when one of the checks
 * named to catch it failed: an unrelated failing check (a flaky one) must not hide a miss.
 */
async function selftest(
  selected: Scenario[],
  opts: { scale: Scale; seed: number; out: string; tls: boolean },
): Promise<number> {
  const startedAt = new Date();
  const rows: Array<{ scenario: string; sabotage: Sabotage; caughtBy: string[]; result: ScenarioResult }> =
    [];
  for (const s of selected) {
    for (const { sabotage, caughtBy } of s.sabotages) {
      process.stdout.write(`\n▶ selftest ${s.name} with sabotage ${sabotage}\n`);
      const result = await runScenario(s, { ...opts, outDir: opts.out, sabotage });
      rows.push({ scenario: s.name, sabotage, caughtBy, result });
    }
  }
  process.stdout.write('\nselftest: each sabotage must be caught by a failing check named to catch it\n');
  let missed = false;
  for (const { scenario, sabotage, caughtBy, result } of rows) {
    const { line, caught } = selftestVerdict(result, caughtBy);
    missed ||= !caught;
    process.stdout.write(`  ${scenario.padEnd(16)} ${sabotage.padEnd(24)} ${line}\n`);
  }
  process.stdout.write(`results in ${opts.out}\n`);
  printIndex(
    'selftest',
    rows.map((r) => r.result),
    opts.out,
    startedAt,
  );
  if (rows.some((r) => r.result.verdict === 'error')) return 2;
  return missed ? 1 : 0;
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(process.argv.slice(2));
    if (args.help || !args.command) {
      process.stdout.write(`${USAGE}\n`);
      return args.help ? 0 : 2;
    }
    if (args.command === 'list') {
      list();
      return 0;
    }
    if (args.command === 'run') {
      if (args.names.length === 0) throw new UsageError('name the scenarios to run, or "all"');
      return await run(pick(args.names), args);
    }
    if (args.command === 'selftest') return await selftest(pick(args.names), args);
    if (args.command === 'explain') {
      process.stdout.write(`${explain({ id: args.names[0], json: args.json, outDir: args.out })}\n`);
      return 0;
    }
    if (args.command === 'demo') return await runDemo(args.names[0], args);
    throw new UsageError(`unknown command "${args.command}"`);
  } catch (err) {
    const usage =
      err instanceof UsageError || err instanceof UnknownItemError || err instanceof UnknownDemoError;
    if (usage || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`faultline: ${(err as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`faultline: ${(err as Error).stack ?? err}\n`);
    return 2;
  }
}

main().then((code) => process.exit(code));
