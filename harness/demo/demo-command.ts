/**
 * `faultline demo <id> [--sabotage]`: a live walkthrough of one scenario — what will happen, the run
 * itself narrated with live numbers (steady state, the fault, the recovery), then an answer card. It runs
 * the scenario through the runner, like `run` does, so a demo leaves the same run directory and report.
 */
import { dirname } from 'node:path';
import { resolveFigure, scenarioRefs } from '../explain/evaluate.ts';
import { ITEMS } from '../explain/items/index.ts';
import { readRun } from '../explain/latest-runs.ts';
import { wrap } from '../explain/render-text.ts';
import { formatDuration } from '../report/format.ts';
import { REPORT_FILE, type ScenarioResult } from '../report/result.ts';
import { sampledFigures } from '../report/sample-summary.ts';
import { runScenario } from '../runner/runner.ts';
import { selftestVerdict } from '../runner/selftest-verdict.ts';
import { scenarios } from '../scenarios/index.ts';
import { DEMOS, type Demo } from './demos.ts';
import { Narrator } from './narrator.ts';

const WIDTH = 96;

export class UnknownDemoError extends Error {}

/** The demo for `id`, or an error naming the ones there are. */
export function findDemo(id: string | undefined): Demo {
  const demo = DEMOS.find((d) => d.scenario === id);
  if (!demo) {
    throw new UnknownDemoError(
      `${id ? `unknown demo "${id}"` : 'name a demo'}; demos: ${DEMOS.map((d) => d.scenario).join(', ')}`,
    );
  }
  return demo;
}

function box(title: string, lines: string[]): string {
  const rule = '─'.repeat(Math.max(0, WIDTH - title.length - 5));
  return [`┌─ ${title} ${rule}`, ...lines.map((l) => `│ ${l}`), `└${'─'.repeat(WIDTH - 1)}`].join('\n');
}

/** The card shown at the end: the verdict, and each item this demo answers with this run's figures. */
export function answerCard(demo: Demo, result: ScenarioResult, runDir: string, sabotaged: boolean): string {
  const lines: string[] = [];
  const failed = result.checks.filter((c) => !c.valid);
  if (sabotaged) {
    lines.push(...wrap(`sabotage ${demo.sabotage}: ${demo.sabotageStory}`, WIDTH - 4));
    if (failed.length === 0)
      lines.push(`NOT CAUGHT: every check passed (verdict ${result.verdict.toUpperCase()})`);
    for (const c of failed) {
      lines.push(`caught by ${c.name} — ${c.errorCount} error${c.errorCount === 1 ? '' : 's'}`);
      lines.push(...wrap(c.description, WIDTH - 4, '  '));
      if (c.first !== undefined) lines.push(...wrap(`first: ${JSON.stringify(c.first)}`, WIDTH - 4, '  '));
    }
  } else {
    lines.push(
      `verdict ${result.verdict.toUpperCase()}: ${result.checks.length - failed.length} of ${result.checks.length} checks held`,
    );
    for (const c of failed) lines.push(`violated: ${c.name} (${c.errorCount} errors)`);
  }
  const run = readRun(runDir);
  const summary = sampledFigures(runDir);
  const sampled = () => summary;
  for (const id of demo.items) {
    const item = ITEMS.find((i) => i.id === id);
    if (!item) continue;
    lines.push('', ...wrap(`${item.id} · ${item.question}`, WIDTH - 4));
    const refs = scenarioRefs(item, demo.scenario, false);
    const figures = run ? refs.flatMap((ref) => resolveFigure(ref, run, { sampled }) ?? []) : [];
    if (figures.length)
      lines.push(...wrap(`measured now: ${figures.map((f) => f.text).join(' · ')}`, WIDTH - 4, '  '));
    lines.push(...wrap(item.answer, WIDTH - 4, '  '));
  }
  lines.push('', `report: ${runDir}/${REPORT_FILE}`);
  return box(`answer card: ${demo.scenario}${sabotaged ? ` with sabotage ${demo.sabotage}` : ''}`, lines);
}

/** Runs a demo; 0 when it ended as it should (held, or with --sabotage caught), 1 otherwise, 2 on error. */
export async function runDemo(
  id: string | undefined,
  opts: { sabotage: boolean; seed: number; out: string },
): Promise<number> {
  const demo = findDemo(id);
  const scenario = scenarios.find((s) => s.name === demo.scenario);
  if (!scenario) throw new UnknownDemoError(`demo ${demo.scenario} has no scenario in this build`);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say(box(`demo: ${demo.title}`, wrap(demo.setup, WIDTH - 4)));
  if (opts.sabotage) say(`  …against a broken service: ${demo.sabotageStory} A check must catch it.`);
  say('▶ starting a fresh stack (PostgreSQL, two Redis, the service roles)…');
  const started = Date.now();
  const result = await runScenario(scenario, {
    scale: 'ci',
    seed: opts.seed,
    outDir: opts.out,
    sabotage: opts.sabotage ? demo.sabotage : null,
    target: { mode: 'native', tls: false },
    progress: new Narrator(demo, say),
  });
  const runDir = dirname(result.files.history);
  say('');
  say(answerCard(demo, result, runDir, opts.sabotage));
  say(`(${formatDuration(Date.now() - started)} in all)`);
  if (result.verdict === 'error') return 2;
  if (!opts.sabotage) return result.verdict === 'pass' ? 0 : 1;
  // Caught only by a check named to catch it, as in selftest: an unrelated failure is no catch.
  const caughtBy = scenario.sabotages.find((s) => s.sabotage === demo.sabotage)?.caughtBy ?? [];
  const { line, caught } = selftestVerdict(result, caughtBy);
  say(`selftest verdict: ${line}`);
  return caught ? 0 : 1;
}
