/**
 * The newest measurements under a runs directory: for each scenario its newest real run of the
 * reference on the native stack (not an error or skipped, not a black-box run of another target; a
 * passing one preferred) and, apart, its newest run against each sabotage; and the newest bench result
 * (bench/result.ts). Read loosely — a result written by an older or newer faultline is used for what it
 * has, never a reason to fail.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sampledFigures } from '../report/sample-summary.ts';

export interface FoundRun {
  kind: 'scenario' | 'bench';
  runId: string;
  dir: string;
  /** ISO 8601. */
  startedAt: string;
  scenario?: string;
  verdict?: string;
  /** A `--tls` run (its run id ends `-tls`). */
  tls: boolean;
  /** A run against a described target (`--target`), not the native stack. */
  blackBox: boolean;
  figures: Record<string, number>;
  /** Bench only: min–max over rounds. */
  ranges: Record<string, [number, number]>;
  /** Bench only: short verdicts in words. */
  findings: Record<string, string>;
  checks: Array<{ name: string; valid: boolean; errorCount: number; figures?: Record<string, number> }>;
}

export interface LatestRuns {
  /** By scenario name; `--tls` runs under `<name> --tls`. */
  scenarios: Map<string, FoundRun>;
  bench: FoundRun | null;
  /** Samples summaries, read on first use (samples.jsonl can be long). */
  sampled(run: FoundRun): Record<string, number>;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function numbers(v: unknown): Record<string, number> {
  if (!isRecord(v)) return {};
  return Object.fromEntries(Object.entries(v).filter((e): e is [string, number] => typeof e[1] === 'number'));
}

/** One run directory's result.json as a FoundRun, or null when it has none or it is not one. */
export function readRun(dir: string): (FoundRun & { sabotage: string | null }) | null {
  const path = join(dir, 'result.json');
  if (!existsSync(path)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
  if (!isRecord(raw) || typeof raw.runId !== 'string' || typeof raw.startedAt !== 'string') return null;
  const bench = raw.kind === 'bench';
  if (!bench && typeof raw.scenario !== 'string') return null;
  const ranges: Record<string, [number, number]> = {};
  if (isRecord(raw.ranges)) {
    for (const [k, v] of Object.entries(raw.ranges)) {
      if (Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'number') ranges[k] = [v[0], v[1]];
    }
  }
  const findings = isRecord(raw.findings)
    ? Object.fromEntries(
        Object.entries(raw.findings).filter((e): e is [string, string] => typeof e[1] === 'string'),
      )
    : {};
  const checks = Array.isArray(raw.checks)
    ? raw.checks.filter(isRecord).map((c) => ({
        name: String(c.name),
        valid: c.valid === true,
        errorCount: typeof c.errorCount === 'number' ? c.errorCount : 0,
        figures: numbers(c.figures),
      }))
    : [];
  return {
    kind: bench ? 'bench' : 'scenario',
    runId: raw.runId,
    dir,
    startedAt: raw.startedAt,
    ...(bench ? {} : { scenario: raw.scenario as string, verdict: String(raw.verdict) }),
    tls: raw.runId.endsWith('-tls'),
    blackBox: isRecord(raw.target) && raw.target.mode === 'black-box',
    sabotage: typeof raw.sabotage === 'string' ? raw.sabotage : null,
    figures: numbers(raw.figures),
    ranges,
    findings,
    checks,
  };
}

/**
 * The key of a scenario's runs in LatestRuns.scenarios: its name, `<name> --tls` for `--tls` runs,
 * `<name> with <sabotage>` for its selftest runs against a sabotage.
 */
export const scenarioKey = (scenario: string, tls = false, sabotage?: string | null) =>
  sabotage ? `${scenario} with ${sabotage}` : tls ? `${scenario} --tls` : scenario;

/** Ranks a scenario run: a pass beats a fail or vacuous run, then the newer wins. */
function better(a: FoundRun, b: FoundRun): boolean {
  const rank = (r: FoundRun) => (r.verdict === 'pass' ? 1 : 0);
  if (rank(a) !== rank(b)) return rank(a) > rank(b);
  return a.startedAt > b.startedAt;
}

/** Scans `outDir` (one level: each run directory holds its result.json). */
export function latestRuns(outDir: string): LatestRuns {
  const scenarios = new Map<string, FoundRun>();
  let bench: FoundRun | null = null;
  const entries = existsSync(outDir) ? readdirSync(outDir, { withFileTypes: true }) : [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const run = readRun(join(outDir, entry.name));
    if (!run) continue;
    if (run.kind === 'bench') {
      if (!bench || run.startedAt > bench.startedAt) bench = run;
      continue;
    }
    if (run.verdict === 'error' || run.verdict === 'skipped') continue;
    if (run.blackBox || !run.scenario) continue;
    const key = scenarioKey(run.scenario, run.tls, run.sabotage);
    const current = scenarios.get(key);
    if (!current || better(run, current)) scenarios.set(key, run);
  }
  const cache = new Map<string, Record<string, number>>();
  return {
    scenarios,
    bench,
    sampled(run) {
      const summary = cache.get(run.dir) ?? sampledFigures(run.dir);
      cache.set(run.dir, summary);
      return summary;
    },
  };
}
