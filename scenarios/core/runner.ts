import { appendFileSync, cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Nemesis } from '../../chaos/nemesis.ts';
import { BankClient } from '../../service/bank/client.ts';
import { mulberry32 } from '../../service/bank/faults.ts';
import type { Sabotage } from '../../service/config.ts';
import { allRoles, registerCleanup, type Stack, startStack } from '../../stack/index.ts';
import { openHistoryWriter } from '../report/history-file.ts';
import { writeJunit } from '../report/junit.ts';
import { observeConfig } from '../report/observe-config.ts';
import { HISTORY_FILE, JUNIT_FILE, type ScenarioResult, writeResult } from '../report/result.ts';
import { RunObserver } from '../report/run-observer.ts';
import { Progress } from '../report/terminal.ts';
import { ApiClient } from './api-client.ts';
import { directClients } from './direct-clients.ts';
import { Recorder } from './recorder.ts';
import type { Scale, Scenario, ScenarioContext, ScenarioOutcome } from './scenario.ts';

export interface RunOptions {
  scale: Scale;
  seed: number;
  /** Parent directory of the run directory (`runs/` by default). */
  outDir: string;
  sabotage: Sabotage | null;
  /** Where progress goes (stdout by default). */
  progress?: Progress;
}

/** A directory-safe, sortable id: when, what, and with which seed. */
function runIdFor(scenario: string, opts: RunOptions): string {
  const when = new Date().toISOString().replace(/[:.]/g, '-');
  return `${when}-${scenario}${opts.sabotage ? `-sabotage-${opts.sabotage}` : ''}-seed${opts.seed}`;
}

/**
 * Runs one scenario on a fresh native stack: start the stack, run the workload and its faults, heal
 * every fault (always), check, and write result.json, history.jsonl, junit.xml and every process's log.
 */
export async function runScenario(scenario: Scenario, opts: RunOptions): Promise<ScenarioResult> {
  // Parsed before anything starts, so a bad variable fails the run at once.
  const config = observeConfig();
  const runId = runIdFor(scenario.name, opts);
  const dir = join(opts.outDir, runId);
  mkdirSync(dir, { recursive: true });
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
  const progress = opts.progress ?? new Progress();
  const startedAt = new Date();
  const plan = scenario.plan(opts.scale);

  let stack: Stack | undefined;
  let outcome: ScenarioOutcome | undefined;
  let failure: Error | undefined;
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
    };
  };
  const ticker = setInterval(() => progress.update(snapshot()), 1_000);
  observer.runStarted();
  try {
    stack = await startStack({
      roles: allRoles.filter((r) => r !== 'recon' || plan.recon),
      workers: plan.workers,
      proxies: plan.proxies,
      env: { ...plan.env, ...(opts.sabotage ? { SABOTAGE: opts.sabotage } : {}) },
      log: say,
      ...observer.stackOptions(),
    });
    observer.stackReady();
    // Registered after the stack's own clean-up, so on Ctrl-C it runs first: heal, then record the run.
    const started = stack;
    closers.push(
      registerCleanup(async () => {
        await nemesis.healAll();
        history.close();
        cpSync(join(started.dir, 'logs'), join(dir, 'logs'), { recursive: true });
        await observer.runFinished(
          finish(undefined, new Error('interrupted by a signal; every fault was healed')),
        );
      }),
    );
    const { db, queue, close } = directClients(stack, { poolMax: 10 });
    closers.push(close);
    const ctx: ScenarioContext = {
      stack,
      proxies: stack.proxies,
      seed: opts.seed,
      scale: opts.scale,
      rng: mulberry32(opts.seed),
      recorder,
      nemesis,
      api: new ApiClient((stack.api ?? { url: '' }).url),
      bank: new BankClient({ baseUrl: (stack.bank ?? { url: '' }).url, timeoutMs: 10_000 }),
      db,
      queue,
      sabotage: opts.sabotage,
      say,
    };
    outcome = await scenario.run(ctx);
  } catch (err) {
    failure = err as Error;
    say(`scenario error: ${failure.stack ?? failure.message}`);
  } finally {
    clearInterval(ticker);
    for (const e of await nemesis.healAll()) {
      say(e.message);
      failure ??= e;
    }
    progress.done(snapshot());
    history.close();
    for (const close of closers.reverse()) await Promise.resolve(close()).catch(() => {});
    if (stack) {
      await stack.stop().catch((err: Error) => say(`stack stop: ${err.message}`));
      cpSync(join(stack.dir, 'logs'), join(dir, 'logs'), { recursive: true });
      rmSync(stack.dir, { recursive: true, force: true });
    }
  }

  const result = finish(outcome, failure);
  await observer.runFinished(result);
  return result;

  function finish(done: ScenarioOutcome | undefined, error: Error | undefined): ScenarioResult {
    const checks = done?.checks ?? [];
    const verdict = error ? 'error' : checks.every((c) => c.valid) ? 'pass' : 'fail';
    const ops = recorder.counts;
    const result: ScenarioResult = {
      schemaVersion: 1,
      runId,
      scenario: scenario.name,
      seed: opts.seed,
      scale: opts.scale,
      sabotage: opts.sabotage,
      verdict,
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      operations: { total: ops.ok + ops.fail + ops.info, ...ops },
      checks,
      figures: done?.figures ?? {},
      faults: nemesis.windows,
      ...(error ? { error: error.message } : {}),
      files: { history: join(dir, HISTORY_FILE), junit: join(dir, JUNIT_FILE), logs: join(dir, 'logs') },
    };
    writeJunit(dir, result);
    writeResult(dir, result);
    return result;
  }
}
