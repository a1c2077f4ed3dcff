import { appendFileSync, cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../../lib/prng.ts';
import { BankClient } from '../../service/bank/client.ts';
import type { Sabotage } from '../../service/config.ts';
import { FRAUD_RULES_WIDE_OPEN } from '../../service/fraud/rules.ts';
import { allRoles, registerCleanup, type Stack, startStack } from '../../stack/index.ts';
import { Nemesis } from '../chaos/nemesis.ts';
import { ApiClient } from '../client/api-client.ts';
import { directClients } from '../client/direct-clients.ts';
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
import { Recorder } from './recorder.ts';
import { type Sampler, startSampler } from './sampler.ts';
import type { Scale, Scenario, ScenarioContext, ScenarioOutcome } from './scenario.ts';
import { stackSabotage } from './stack-sabotages.ts';
import { vacuity } from './vacuity.ts';

export interface RunOptions {
  scale: Scale;
  seed: number;
  /** Parent directory of the run directory (`runs/` by default). */
  outDir: string;
  sabotage: Sabotage | null;
  /** Run the stack with TLS on every link (StackOptions.tls). */
  tls?: boolean;
  /** Where progress goes (stdout by default; a demo narrates instead). */
  progress?: ProgressSink;
}

/** A directory-safe, sortable id: when, what, and with which seed. */
function runIdFor(scenario: string, opts: RunOptions): string {
  const when = new Date().toISOString().replace(/[:.]/g, '-');
  return `${when}-${scenario}${opts.sabotage ? `-sabotage-${opts.sabotage}` : ''}-seed${opts.seed}${opts.tls ? '-tls' : ''}`;
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
  let sampler: Sampler | undefined;
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
      sample: sampler?.latest ?? null,
    };
  };
  const ticker = setInterval(() => progress.update(snapshot()), 1_000);
  observer.runStarted();
  try {
    const ofStack = stackSabotage(opts.sabotage);
    const serviceSabotage: Record<string, string> =
      opts.sabotage && !ofStack ? { SABOTAGE: opts.sabotage } : (ofStack?.env ?? {});
    stack = await startStack({
      roles: allRoles.filter((r) => r !== 'recon' || plan.recon),
      workers: plan.workers,
      proxies: plan.proxies,
      topology: plan.topology ?? 'single',
      ...(ofStack?.durability ? { durability: ofStack.durability } : {}),
      // Fraud rules wide open unless the scenario sets them: other workloads pay out thousands of times
      // from a few accounts, which the rules would rightly hold.
      env: { ...FRAUD_RULES_WIDE_OPEN, ...plan.env, ...serviceSabotage },
      log: say,
      tls: Boolean(opts.tls),
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
    const { db, redis, queue, close } = directClients(stack, { poolMax: 10 });
    closers.push(close);
    const info = stack.info();
    const ctx: ScenarioContext = {
      stack,
      proxies: stack.proxies,
      seed: opts.seed,
      scale: opts.scale,
      rng: mulberry32(opts.seed),
      recorder,
      nemesis,
      api: new ApiClient((stack.api ?? { url: '' }).url),
      bank: new BankClient({
        baseUrl: (stack.bank ?? { url: '' }).url,
        timeoutMs: 10_000,
        ...(info.secrets.bankSigningKeyFile
          ? { signingKey: readFileSync(info.secrets.bankSigningKeyFile, 'utf8').trim() }
          : {}),
        ...(info.tls ? { ca: readFileSync(info.tls.caFile) } : {}),
      }),
      db,
      queue,
      sabotage: opts.sabotage,
      say,
    };
    // For the report: what ran where, and the service sampled once a second.
    await recordEnvironment(dir, { db, redis });
    const running = stack;
    const apiOpsUrls = () =>
      running.services.filter((s) => s.role === 'api' && s.running).map((s) => s.opsUrl);
    const sampling = startSampler(
      { now: () => recorder.now(), apiOpsUrls, queue, db },
      join(dir, SAMPLES_FILE),
    );
    sampler = sampling;
    closers.push(() => sampling.stop());
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
    // Only a run whose checks all held can be vacuous: a violation is a violation, fault or not.
    const held = !error && checks.every((c) => c.valid);
    const vacuous = held ? vacuity(scenario.faults, nemesis.windows) : [];
    const verdict = error ? 'error' : !held ? 'fail' : vacuous.length > 0 ? 'vacuous' : 'pass';
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
      ...(done?.roles ? { roles: done.roles } : {}),
      ...(error ? { error: error.message } : {}),
      ...(vacuous.length > 0 ? { vacuous } : {}),
      files: { history: join(dir, HISTORY_FILE), junit: join(dir, JUNIT_FILE), logs: join(dir, 'logs') },
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
