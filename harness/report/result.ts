/**
 * The `result.json` a scenario run writes: its schema (see schema.ts for the zod version tests and readers
 * validate with) and the writer. Times inside a run are ms since the run started, like the history's.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckResult } from '../core/check-result.ts';
import type { FaultWindow } from '../core/fault-window.ts';
import type { RoleInterval } from '../core/role-timeline.ts';

/** The file names a run writes in its directory. */
export const RESULT_FILE = 'result.json';
export const HISTORY_FILE = 'history.jsonl';
export const JUNIT_FILE = 'junit.xml';
/** The run's HTML report (harness/report/html/). */
export const REPORT_FILE = 'report.html';
/** What the runner sampled once a second (harness/runner/sampler.ts). */
export const SAMPLES_FILE = 'samples.jsonl';

/** The outcome of one scenario run: the `result.json` schema. */
export interface ScenarioResult {
  /** Bumped on any incompatible change to this shape. */
  schemaVersion: 1;
  runId: string;
  scenario: string;
  /** Seed of the generator and nemesis: the same seed replays the same workload and faults. */
  seed: number;
  scale: 'ci' | 'full';
  /** The deliberate bug switched on to prove the checkers catch it, or null for a real run. */
  sabotage: string | null;
  /**
   * What ran: the native stack faultline started (`native`), or a target it was pointed at by a
   * description file (`black-box`, with the file's path). Every run writes it; results from before
   * black-box mode lack it (they ran natively).
   */
  target?: { name: string; mode: 'native' | 'black-box'; file?: string };
  /**
   * pass: every check valid; fail: some check invalid; vacuous: every check valid, but a fault kind of
   * the scenario never hit live work (see `vacuous`), so the run proved nothing; skipped: the target
   * lacks a capability the scenario needs (see `skipped`), so nothing ran; error: the run itself broke
   * (see `error`).
   */
  verdict: 'pass' | 'fail' | 'vacuous' | 'skipped' | 'error';
  /** ISO 8601 wall-clock start. */
  startedAt: string;
  durationMs: number;
  /** Completed operations by outcome; ok + fail + info = total. */
  operations: { total: number; ok: number; fail: number; info: number };
  checks: CheckResult[];
  /** Run-level numbers worth reporting, most important first (the summary shows the first few). */
  figures: Record<string, number>;
  faults: FaultWindow[];
  /** Who was primary over the run (the failover scenarios): each member's roles as the runner saw them. */
  roles?: RoleInterval[];
  /** Why the run broke, when verdict is 'error'. */
  error?: string;
  /** Each fault kind that hit no live work (or was never injected), when verdict is 'vacuous'. */
  vacuous?: string[];
  /** Each capability the scenario needs that the target lacks, with what it is, when verdict is 'skipped'. */
  skipped?: string[];
  /** Where the run's other files are, as given to the writers. */
  files: { history: string; junit: string; logs: string };
}

/** Writes `result.json` into `dir` (created if needed) atomically, and returns its path. */
export function writeResult(dir: string, result: ScenarioResult): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, RESULT_FILE);
  // Write-then-rename: a reader (CI, a dashboard) never sees half a file, even if the run is killed.
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(result, null, 2)}\n`);
  renameSync(tmp, path);
  return path;
}
