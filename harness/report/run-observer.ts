import { join } from 'node:path';
import type { FaultEvent } from '../chaos/nemesis.ts';
import type { FaultWindow } from '../core/fault-window.ts';
import { postAnnotation } from './grafana-annotations.ts';
import type { ObserveConfig } from './observe-config.ts';
import { type Gauge, pushGauges } from './pushgateway.ts';
import type { ScenarioResult } from './result.ts';
import { appendEvent, EVENTS_FILE, pushToLoki, type RunEvent, type RunEventName } from './run-events.ts';
import { faultGauge, outcomeGauges, runGrouping, runningGauge } from './run-metrics.ts';

export interface RunObserverOptions {
  config: ObserveConfig;
  runId: string;
  /** The run directory: events.jsonl goes there. */
  dir: string;
  scenario: string;
  seed: number;
  scale: string;
  sabotage: string | null;
  /** The runner's own log (runner.log). */
  say: (line: string) => void;
}

/**
 * Everything a run tells the outside world besides its result files: run events (events.jsonl, and
 * Loki), the outcome and the fault gauge (Pushgateway), an annotation per fault window and per run
 * (Grafana), and the scrape targets of its stack (Prometheus). Each report is best effort: a
 * Pushgateway that is down never fails a run, it is logged and the run goes on. Reports go out one
 * at a time, in order, so the fault gauge can never go back to a stale value.
 */
export class RunObserver {
  readonly #opts: RunObserverOptions;
  readonly #eventsFile: string;
  readonly #startedAt = Date.now();
  /** Active faults by kind (two kills of different workers can overlap). */
  readonly #active = new Map<string, number>();
  /** Wall-clock injection time of each window, for the annotations. */
  readonly #injectedAt = new Map<FaultWindow, number>();
  readonly #failedTargets = new Set<string>();
  #queue: Promise<void> = Promise.resolve();
  #finished = false;

  constructor(opts: RunObserverOptions) {
    this.#opts = opts;
    this.#eventsFile = join(opts.dir, EVENTS_FILE);
  }

  /** What a native stack needs to be scrapable by the Prometheus of FAULTLINE_SCRAPE_DIR (StackOptions.scrape). */
  scrapeOptions(): { scrape?: { targetsDir: string; labels: Record<string, string> } } {
    const targetsDir = this.#opts.config.FAULTLINE_SCRAPE_DIR;
    return targetsDir ? { scrape: { targetsDir, labels: { scenario: this.#opts.scenario } } } : {};
  }

  runStarted(): void {
    const { seed, scale, sabotage, scenario } = this.#opts;
    this.#event('info', 'run_started', `${scenario} started (seed ${seed}, scale ${scale})`, {
      seed,
      scale,
      sabotage,
    });
    this.#push([runningGauge(true)]);
  }

  stackReady(): void {
    this.#event('info', 'stack_ready', 'stack ready', {
      elapsedMs: Date.now() - this.#startedAt,
    });
  }

  /** The nemesis's watcher: pass it as `new Nemesis(now, log, observer.watchFaults)`. */
  readonly watchFaults = (e: FaultEvent): void => {
    const { kind, target, note } = e.window;
    const label = `${kind} ${target}${note ? ` (${note})` : ''}`;
    if (e.type === 'injected') {
      this.#injectedAt.set(e.window, Date.now());
      this.#active.set(kind, (this.#active.get(kind) ?? 0) + 1);
      this.#event('warn', 'fault_injected', `fault injected: ${label}`, {
        kind,
        target,
        note,
        at: Math.round(e.window.startedAt),
      });
    } else {
      this.#active.set(kind, Math.max(0, (this.#active.get(kind) ?? 0) - 1));
      const durationMs = e.window.endedAt === null ? null : Math.round(e.window.endedAt - e.window.startedAt);
      this.#event('info', 'fault_healed', `fault healed: ${label}`, { kind, target, durationMs });
      this.#annotateFault(e.window, Date.now());
    }
    this.#push([faultGauge(this.#active)]);
  };

  /** Reports the outcome, closes what is still open, and waits until every report went out. */
  async runFinished(result: ScenarioResult): Promise<void> {
    if (this.#finished) return this.#queue;
    this.#finished = true;
    const now = Date.now();
    for (const c of result.checks) {
      this.#event(
        c.valid ? 'info' : 'error',
        'check_finished',
        `${c.name}: ${c.valid ? 'valid' : 'VIOLATED'}`,
        {
          check: c.name,
          valid: c.valid,
          errorCount: c.errorCount,
        },
      );
    }
    this.#event(
      result.verdict === 'pass' ? 'info' : 'error',
      'run_finished',
      `${result.scenario}: ${result.verdict}${result.error ? ` (${result.error.split('\n')[0]})` : ''}`,
      {
        verdict: result.verdict,
        durationMs: result.durationMs,
        operations: result.operations,
        faults: result.faults.length,
        ...(result.error ? { error: result.error } : {}),
      },
    );
    // Windows whose heal never ran (or failed) end with the run.
    for (const window of this.#injectedAt.keys()) this.#annotateFault(window, now);
    for (const kind of this.#active.keys()) this.#active.set(kind, 0);
    this.#push([...outcomeGauges(result, now), ...(this.#active.size > 0 ? [faultGauge(this.#active)] : [])]);
    this.#annotate({
      time: this.#startedAt,
      timeEnd: now,
      tags: ['faultline', 'run', result.scenario, result.verdict],
      text: `${result.scenario} ${result.verdict.toUpperCase()} (run ${result.runId})`,
    });
    await this.#queue;
  }

  #event(
    level: RunEvent['level'],
    event: RunEventName,
    msg: string,
    fields: Record<string, unknown> = {},
  ): void {
    const e: RunEvent = {
      time: new Date().toISOString(),
      level,
      event,
      scenario: this.#opts.scenario,
      runId: this.#opts.runId,
      msg,
      ...fields,
    };
    appendEvent(this.#eventsFile, e);
    const loki = this.#opts.config.FAULTLINE_LOKI_URL;
    if (loki) this.#send('loki', () => pushToLoki(loki, [e]));
  }

  #push(gauges: Gauge[]): void {
    const url = this.#opts.config.FAULTLINE_PUSHGATEWAY_URL;
    if (!url) return;
    const grouping = runGrouping({ scenario: this.#opts.scenario, sabotage: this.#opts.sabotage });
    this.#send('pushgateway', () => pushGauges(url, grouping, gauges));
  }

  #annotateFault(window: FaultWindow, endMs: number): void {
    const start = this.#injectedAt.get(window);
    if (start === undefined) return;
    this.#injectedAt.delete(window);
    this.#annotate({
      time: start,
      timeEnd: endMs,
      tags: ['faultline', 'fault', window.kind, this.#opts.scenario],
      text: `${window.kind} ${window.target}${window.note ? ` (${window.note})` : ''} during ${this.#opts.scenario}`,
    });
  }

  #annotate(annotation: Parameters<typeof postAnnotation>[2]): void {
    const { FAULTLINE_GRAFANA_URL: url, FAULTLINE_GRAFANA_TOKEN: token } = this.#opts.config;
    if (!url || !token) return;
    this.#send('grafana', () => postAnnotation(url, token, annotation));
  }

  /** Queues one report; a failure is logged (loudly the first time per target) and never thrown. */
  #send(target: string, report: () => Promise<void>): void {
    this.#queue = this.#queue.then(report).catch((err: Error) => {
      const line = `report to ${target} failed: ${err.message}`;
      this.#opts.say(line);
      appendEvent(this.#eventsFile, {
        time: new Date().toISOString(),
        level: 'warn',
        event: 'report_failed',
        scenario: this.#opts.scenario,
        runId: this.#opts.runId,
        msg: line,
        target,
      });
      if (!this.#failedTargets.has(target)) {
        this.#failedTargets.add(target);
        process.stderr.write(`faultline: ${line} (the run goes on; see runner.log)\n`);
      }
    });
  }
}
