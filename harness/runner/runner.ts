import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TargetDescription } from '../../contract/target.ts';
import type { BankControl } from '../../fakes/bank/client.ts';
import { mulberry32 } from '../../lib/prng.ts';
import { Nemesis } from '../chaos/nemesis.ts';
import { recordEnvironment } from '../report/environment.ts';
import { openHistoryWriter } from '../report/history-file.ts';
import { writeRunReport } from '../report/html/run-report.ts';
import { writeJunit } from '../report/junit.ts';
import { observeConfig } from '../report/observe-config.ts';
import {
  HISTORY_FILE,
  JUNIT_FILE,
  SAMPLES_FILE,
  type ScenarioResult,
  writeResult,
} from '../report/result.ts';
import { RunObserver } from '../report/run-observer.ts';
import { Progress, type ProgressSink } from '../report/terminal.ts';
import {
  type Capability,
  describeCapability,
  describedCapabilities,
  missingCapabilities,
} from '../target/capabilities.ts';
import { MissingCapability, Target } from '../target/target.ts';
import { onInterrupt } from './interrupt.ts';
import { Recorder } from './recorder.ts';
import { type Sampler, startSampler } from './sampler.ts';
import type { RunScope, Scale, Scenario, ScenarioContext, ScenarioOutcome } from './scenario.ts';
import { vacuity } from './vacuity.ts';

/** What a run goes against: a native stack faultline starts for it, or a target a file describes. */
export type TargetChoice =
  | { mode: 'native'; tls: boolean }
  | { mode: 'black-box'; file: string; description: TargetDescription };

export interface RunOptions {
  scale: Scale;
  seed: number;
  /** Parent directory of the run directory (`runs/` by default). */
  outDir: string;
  /** Natively, the service variant to start; against a described target, what it declares it carries. */
  sabotage: string | null;
  target: TargetChoice;
  /** Where progress goes (stdout by default; a demo narrates instead). */
  progress?: ProgressSink;
}

/** A directory-safe, sortable id: when, what, with which seed, against what. */
function runIdFor(scenario: string, opts: RunOptions): string {
  const when = new Date().toISOString().replace(/[:.]/g, '-');
  const tls = opts.target.mode === 'native' && opts.target.tls ? '-tls' : '';
  const target = opts.target.mode === 'black-box' ? '-target' : '';
  return `${when}-${scenario}${opts.sabotage ? `-sabotage-${opts.sabotage}` : ''}-seed${opts.seed}${tls}${target}`;
}

/** The native stack's module, loaded only in native mode: a black-box run never loads the service. */
function loadNative() {
  return import('../../stack/target/native.ts');
}

/** A native stack started for one run (stack/target/native.ts), typed without a static import of it. */
type NativeTarget = Awaited<ReturnType<Awaited<ReturnType<typeof loadNative>>['startNativeTarget']>>;

/** The mock bank's client, or one that says, on first use, that the target names no bank. */
function bankOf(target: Target): BankControl {
  if (target.bank) return target.bank;
  return new Proxy({} as BankControl, {
    get: () => () => Promise.reject(new MissingCapability(`${target.name} describes no mock bank`)),
  });
}

/**
 * Runs one scenario: natively on a fresh stack (started for it, stopped after), or against a described
 * target (nothing of it started or stopped); the workload and its faults, every fault healed (always),
 * the checks; writes result.json, history.jsonl, junit.xml, report.html and, natively, every
 * process's log. A scenario needing a capability the target lacks is not run: it ends `skipped`.
 */
export async function runScenario(scenario: Scenario, opts: RunOptions): Promise<ScenarioResult> {
  // Parsed before anything starts, so a bad variable fails the run at once.
  const config = observeConfig();
  const runId = runIdFor(scenario.name, opts);
  const dir = join(opts.outDir, runId);
  mkdirSync(dir, { recursive: true });
  const logsDir = join(dir, 'logs');
  const runnerLog = join(dir, 'runner.log');
  const say = (line: string) => appendFileSync(runnerLog, `${new Date().toISOString()} ${line}\n`);
  const history = openHistoryWriter(join(dir, HISTORY_FILE));
  const recorder = new Recorder(history);
  const observer = new RunObserver({
    config,
    runId,
    dir,
    scenario: scenario.name,
    seed: opts.seed,
    scale: opts.scale,
    sabotage: opts.sabotage,
    say,
  });
  const nemesis = new Nemesis(() => recorder.now(), say, observer.watchFaults);
  const startedAt = new Date();
  const choice = opts.target;
  let targetInfo: ScenarioResult['target'] =
    choice.mode === 'native'
      ? { name: 'reference (native)', mode: 'native' }
      : { name: choice.description.name, mode: 'black-box', file: choice.file };

  if (choice.mode === 'black-box') {
    const missing = missingCapabilities(scenario.needs, describedCapabilities(choice.description));
    if (missing.length > 0) {
      history.close();
      say(`skipped: the target lacks ${missing.join(', ')}`);
      return finish(undefined, undefined, missing);
    }
  }

  const progress = opts.progress ?? new Progress();
  let target: Target | undefined;
  let native: NativeTarget | undefined;
  let sampler: Sampler | undefined;
  let outcome: ScenarioOutcome | undefined;
  let failure: Error | undefined;
  let missing: Capability[] = [];
  const scope: RunScope = { accounts: new Set(), users: new Set() };
  const closers: Array<() => Promise<unknown> | unknown> = [];
  let lastCompleted = 0;
  let lastTick = performance.now();
  const snapshot = () => {
    const now = performance.now();
    const rate = ((recorder.completed - lastCompleted) * 1000) / Math.max(now - lastTick, 1);
    lastCompleted = recorder.completed;
    lastTick = now;
    return {
      scenario: scenario.name,
      elapsedMs: Date.now() - startedAt.getTime(),
      opsPerSec: Math.round(rate),
      ...recorder.counts,
      activeFault: nemesis.activeLabel(),
      sample: sampler?.latest ?? null,
    };
  };
  const ticker = setInterval(() => progress.update(snapshot()), 1_000);
  observer.runStarted();
  try {
    if (choice.mode === 'native') {
      native = await (await loadNative()).startNativeTarget({
        plan: scenario.plan(opts.scale),
        sabotage: opts.sabotage,
        tls: choice.tls,
        log: say,
        ...observer.scrapeOptions(),
      });
      target = new Target(native.description, { mode: 'native', native: native.extras });
    } else {
      target = new Target(choice.description, { mode: 'black-box', file: choice.file });
    }
    targetInfo = { ...targetInfo, name: target.name };
    observer.stackReady();
    missing = missingCapabilities(scenario.needs, target.capabilities);
    if (missing.length > 0) throw new SkipRun();
    // On Ctrl-C: heal, then record the run (natively before the stack's own clean-up stops it).
    const started = native;
    const interrupted = async () => {
      await nemesis.healAll();
      history.close();
      started?.copyLogs(logsDir);
      await observer.runFinished(
        finish(undefined, new Error('interrupted by a signal; every fault was healed')),
      );
    };
    closers.push(native ? native.onInterrupt(interrupted) : onInterrupt(interrupted));
    const ctx: ScenarioContext = {
      target,
      seed: opts.seed,
      scale: opts.scale,
      rng: mulberry32(opts.seed),
      recorder,
      nemesis,
      api: target.api,
      bank: bankOf(target),
      scope,
      sabotage: opts.sabotage,
      say,
    };
    // For the report: what ran where, and the service sampled once a second.
    recordEnvironment(dir, {
      target: targetInfo,
      versions: native ? await native.extras.versions() : { postgres: null, redis: null },
    });
    const running = target;
    const queue = native?.extras.queue;
    const sampling = startSampler(
      {
        now: () => recorder.now(),
        apiMetricsUrls: () => running.metrics('api'),
        ...(queue ? { queueCounts: () => queue.counts('waiting', 'active', 'delayed') } : {}),
        ...(running.state
          ? { inFlight: () => running.state?.open([...scope.accounts]) ?? Promise.resolve(null) }
          : {}),
      },
      join(dir, SAMPLES_FILE),
    );
    sampler = sampling;
    closers.push(() => sampling.stop());
    outcome = await scenario.run(ctx);
  } catch (err) {
    if (!(err instanceof SkipRun)) {
      failure = err as Error;
      say(`scenario error: ${failure.stack ?? failure.message}`);
    }
  } finally {
    clearInterval(ticker);
    for (const e of await nemesis.healAll()) {
      say(e.message);
      failure ??= e;
    }
    progress.done(snapshot());
    history.close();
    for (const close of closers.reverse()) await Promise.resolve(close()).catch(() => {});
    await target?.close().catch(() => {});
    await native?.stop(logsDir);
  }

  const result = finish(outcome, failure, missing);
  await observer.runFinished(result);
  return result;

  function finish(
    done: ScenarioOutcome | undefined,
    error: Error | undefined,
    lacking: Capability[] = [],
  ): ScenarioResult {
    const checks = done?.checks ?? [];
    // Only a run whose checks all held can be vacuous: a violation is a violation, fault or not.
    const held = !error && checks.every((c) => c.valid);
    const vacuous = held && lacking.length === 0 ? vacuity(scenario.faults, nemesis.windows) : [];
    const verdict =
      lacking.length > 0 && !error
        ? 'skipped'
        : error
          ? 'error'
          : !held
            ? 'fail'
            : vacuous.length > 0
              ? 'vacuous'
              : 'pass';
    const ops = recorder.counts;
    const result: ScenarioResult = {
      schemaVersion: 1,
      runId,
      scenario: scenario.name,
      seed: opts.seed,
      scale: opts.scale,
      sabotage: opts.sabotage,
      target: targetInfo,
      verdict,
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      operations: { total: ops.ok + ops.fail + ops.info, ...ops },
      checks,
      figures: done?.figures ?? {},
      faults: nemesis.windows,
      ...(done?.roles ? { roles: done.roles } : {}),
      ...(error ? { error: error.message } : {}),
      ...(vacuous.length > 0 ? { vacuous } : {}),
      ...(verdict === 'skipped' ? { skipped: lacking.map((c) => `${c}: ${describeCapability(c)}`) } : {}),
      files: { history: join(dir, HISTORY_FILE), junit: join(dir, JUNIT_FILE), logs: logsDir },
    };
    writeJunit(dir, result);
    writeResult(dir, result);
    try {
      writeRunReport(dir);
    } catch (err) {
      say(`report.html not written: ${(err as Error).stack ?? err}`);
    }
    return result;
  }
}

/** Thrown inside the run when the target turns out to lack a capability: nothing runs, nothing fails. */
class SkipRun extends Error {}
