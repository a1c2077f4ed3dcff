import type { Gauge } from './pushgateway.ts';
import type { ScenarioResult } from './result.ts';

/**
 * The gauges a run pushes, all in the group {job="faultline", scenario, sabotage}. Labels are bounded:
 * scenario, sabotage, check, verdict, outcome and fault kind; the run id never becomes a label.
 */

export const PUSH_JOB = 'faultline';

/** The Pushgateway group of a run: one per scenario and sabotage ("none" for a real run). */
export function runGrouping(result: Pick<ScenarioResult, 'scenario' | 'sabotage'>) {
  return { job: PUSH_JOB, scenario: result.scenario, sabotage: result.sabotage ?? 'none' };
}

const VERDICTS = ['pass', 'fail', 'vacuous', 'error'] as const;

/** 1 while the run is in progress: dashboards shade the run. */
export function runningGauge(running: boolean): Gauge {
  return {
    name: 'faultline_scenario_running',
    help: '1 while a scenario run is in progress.',
    samples: [{ value: running ? 1 : 0 }],
  };
}

/** The outcome of a finished run: verdict, checks, duration, operations, faults, when. */
export function outcomeGauges(result: ScenarioResult, finishedAtMs: number): Gauge[] {
  const gauges: Gauge[] = [
    {
      name: 'faultline_scenario_verdict',
      help: 'Verdict of the last run: 1 on the verdict it had (pass, fail, vacuous, error), 0 on the others.',
      samples: VERDICTS.map((v) => ({ labels: { verdict: v }, value: result.verdict === v ? 1 : 0 })),
    },
    {
      name: 'faultline_scenario_duration_seconds',
      help: 'Wall-clock duration of the last run, stack start-up included.',
      samples: [{ value: result.durationMs / 1000 }],
    },
    {
      name: 'faultline_scenario_operations',
      help: 'Operations of the last run by outcome: ok (happened), fail (did not), info (unknown).',
      samples: (['ok', 'fail', 'info'] as const).map((o) => ({
        labels: { outcome: o },
        value: result.operations[o],
      })),
    },
    {
      name: 'faultline_scenario_faults',
      help: 'Faults injected during the last run.',
      samples: [{ value: result.faults.length }],
    },
    {
      name: 'faultline_scenario_last_run_timestamp_seconds',
      help: 'When the last run finished (Unix time).',
      samples: [{ value: finishedAtMs / 1000 }],
    },
    {
      name: 'faultline_check_valid',
      help: 'Whether each check of the last run held: 1 valid, 0 violated.',
      samples: result.checks.map((c) => ({ labels: { check: c.name }, value: c.valid ? 1 : 0 })),
    },
    {
      name: 'faultline_check_errors',
      help: 'Errors each check of the last run found.',
      samples: result.checks.map((c) => ({ labels: { check: c.name }, value: c.errorCount })),
    },
    runningGauge(false),
  ];
  if (result.verdict === 'pass') {
    // Only pushed on success, so a failing run leaves the previous success time in place.
    gauges.push({
      name: 'faultline_scenario_last_success_timestamp_seconds',
      help: 'When the last passing run finished (Unix time).',
      samples: [{ value: finishedAtMs / 1000 }],
    });
  }
  return gauges.filter((g) => g.samples.length > 0);
}

/** 1 for each fault kind active now, 0 for each kind seen earlier in the run. */
export function faultGauge(activeByKind: ReadonlyMap<string, number>): Gauge {
  return {
    name: 'faultline_fault_active',
    help: '1 while a fault of this kind is active (injected, not yet healed), else 0.',
    samples: [...activeByKind].map(([kind, n]) => ({ labels: { kind }, value: n > 0 ? 1 : 0 })),
  };
}
