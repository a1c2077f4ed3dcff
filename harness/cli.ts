import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runDemo, UnknownDemoError } from './demo/demo-command.ts';
import { explain, explainRuns, UnknownItemError } from './explain/explain-command.ts';
import { type IndexKind, writeIndex } from './report/html/index-page.ts';
import type { ScenarioResult } from './report/result.ts';
import { lacked, summaryTable } from './report/terminal.ts';
import { suiteExitCode } from './runner/exit-code.ts';
import { runScenario, type TargetChoice } from './runner/runner.ts';
import type { Scale, Scenario } from './runner/scenario.ts';
import { selftestVerdict } from './runner/selftest-verdict.ts';
import { DEFAULT_SUITE, scenarios } from './scenarios/index.ts';
import { DescriptionError, loadDescription } from './target/description.ts';

const USAGE = `usage:
  npm run faultline -- list
  npm run faultline -- run <scenario…|all> [--scale ci|full] [--seed N] [--out DIR] [--tls | --target FILE]
  npm run faultline -- selftest [scenario…] [--scale ci|full] [--seed N] [--out DIR] [--tls | --target FILE]
  npm run faultline -- explain [id] [--json] [--out DIR]
  npm run faultline -- demo <scenario> [--sabotage] [--seed N] [--out DIR]

--tls: every link encrypted and authenticated (PostgreSQL verify-full, Redis TLS with ACL users,
the bank over HTTPS with signed requests), through the same toxiproxy faults
--target FILE: run against the payment service FILE describes (docs/targets.md) instead of a native
stack; nothing of it is started or stopped, and a scenario needing what it lacks is skipped. selftest
with --target judges a target whose description names the sabotage it carries

exit codes: 0 every invariant held (selftest: every sabotage caught), 1 an invariant was violated
(selftest: a sabotage went unnoticed), 2 usage or set-up error, a run that ended in error, or
nothing run (every scenario skipped)`;

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
      target: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.scale !== 'ci' && values.scale !== 'full')
    throw new UsageError(`--scale must be ci or full, not "${values.scale}"`);
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new UsageError(`--seed must be a non-negative integer, not "${values.seed}"`);
  if (values.target !== undefined && values.tls)
    throw new UsageError('--tls starts a native stack with TLS; a --target runs as it is described');
  const command = positionals[0];
  if (values.target !== undefined && command !== 'run' && command !== 'selftest')
    throw new UsageError(
      `--target applies to run and selftest; ${command ?? 'this'} works on the native stack (explain reads native runs, demo narrates a fresh stack)`,
    );
  return {
    command,
    names: positionals.slice(1),
    scale: values.scale as Scale,
    seed,
    out: resolve(values.out),
    json: values.json,
    sabotage: values.sabotage,
    target: targetChoice(values.target, values.tls),
    help: values.help,
  };
}

/** The native stack (with or without TLS), or the target a description file names. */
function targetChoice(file: string | undefined, tls: boolean): TargetChoice {
  if (file === undefined) return { mode: 'native', tls };
  return { mode: 'black-box', file: resolve(file), description: loadDescription(file) };
}

/** How a run is introduced: its scale, seed and target. */
function runLabel(opts: { scale: Scale; seed: number; target: TargetChoice }): string {
  const t = opts.target;
  const where = t.mode === 'native' ? (t.tls ? ', tls' : '') : `, target ${t.description.name} (black-box)`;
  return `scale ${opts.scale}, seed ${opts.seed}${where}`;
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
    process.stdout.write(`  needs from a target: ${s.needs.join(', ')}\n`);
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
  opts: { scale: Scale; seed: number; out: string; target: TargetChoice },
): Promise<number> {
  const startedAt = new Date();
  const results: ScenarioResult[] = [];
  for (const s of selected) {
    process.stdout.write(`\n▶ ${s.name} (${runLabel(opts)})\n`);
    const result = await runScenario(s, { ...opts, outDir: opts.out, sabotage: null });
    if (result.verdict === 'skipped') process.stdout.write(`  skipped: the target lacks ${lacked(result)}\n`);
    results.push(result);
  }
  process.stdout.write(`\n${summaryTable(results)}\n`);
  printIndex('suite', results, opts.out, startedAt);
  return suiteExitCode(results);
}

/**
 * Each scenario against each of its sabotages. A sabotage counts as caught only when one of the checks
 * named to catch it failed: an unrelated failing check (a flaky one) must not hide a miss.
 */
async function selftest(
  selected: Scenario[],
  opts: { scale: Scale; seed: number; out: string; target: TargetChoice },
): Promise<number> {
  const startedAt = new Date();
  const rows: Array<{ scenario: string; sabotage: string; caughtBy: string[]; result: ScenarioResult }> = [];
  for (const { scenario: s, sabotage, caughtBy } of selftestCases(selected, opts.target)) {
    process.stdout.write(`\n▶ selftest ${s.name} with sabotage ${sabotage} (${runLabel(opts)})\n`);
    const result = await runScenario(s, { ...opts, outDir: opts.out, sabotage });
    rows.push({ scenario: s.name, sabotage, caughtBy, result });
  }
  process.stdout.write('\nselftest: each sabotage must be caught by a failing check named to catch it\n');
  let missed = false;
  const width = (names: string[]) => Math.max(0, ...names.map((n) => n.length));
  const scenarioWidth = width(rows.map((r) => r.scenario));
  const sabotageWidth = width(rows.map((r) => r.sabotage));
  for (const { scenario, sabotage, caughtBy, result } of rows) {
    const { line, caught } = selftestVerdict(result, caughtBy);
    missed ||= !caught;
    process.stdout.write(`  ${scenario.padEnd(scenarioWidth)}  ${sabotage.padEnd(sabotageWidth)}  ${line}\n`);
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

/**
 * What selftest runs: natively, each scenario against each sabotage it lists; against a described
 * target, which carries one sabotage of its own (its description says which), the scenarios listing it.
 */
function selftestCases(selected: Scenario[], target: TargetChoice) {
  const all = selected.flatMap((scenario) => scenario.sabotages.map((c) => ({ scenario, ...c })));
  if (target.mode === 'native') return all;
  const carried = target.description.sabotage;
  if (!carried)
    throw new UsageError(
      `selftest --target needs a target that is broken on purpose: ${target.file} names no sabotage (npm run up -- --sabotage NAME writes one that does)`,
    );
  const cases = all.filter((c) => c.sabotage === carried);
  if (cases.length === 0)
    throw new UsageError(
      `no selected scenario is known to catch sabotage ${carried}; these do: ${
        scenarios
          .filter((s) => s.sabotages.some((c) => c.sabotage === carried))
          .map((s) => s.name)
          .join(', ') || 'none'
      }`,
    );
  return cases;
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
      err instanceof UsageError ||
      err instanceof UnknownItemError ||
      err instanceof UnknownDemoError ||
      err instanceof DescriptionError;
    if (usage || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`faultline: ${(err as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`faultline: ${(err as Error).stack ?? err}\n`);
    return 2;
  }
}

main().then((code) => process.exit(code));
