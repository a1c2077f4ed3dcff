/* A sample run result for report tests; not a test itself (vitest only collects *.test.ts). */
import type { ScenarioResult } from './result.ts';

/** A passing run with two checks, one fault and a few figures, overridable field by field. */
export function sampleResult(overrides: Partial<ScenarioResult> = {}): ScenarioResult {
  return {
    schemaVersion: 1,
    runId: 'run-2024-05-01T12-00-00Z',
    scenario: 'payout-storm',
    seed: 42,
    scale: 'ci',
    sabotage: null,
    verdict: 'pass',
    startedAt: '2024-05-01T12:00:00.000Z',
    durationMs: 65_400,
    operations: { total: 12_345, ok: 12_000, fail: 300, info: 45 },
    checks: [
      {
        name: 'money-conserved',
        description: 'Money adds up.',
        valid: true,
        errorCount: 0,
        figures: { deposits_cents: 1_000_000 },
      },
      { name: 'queue-drained', description: 'The queue is empty.', valid: true, errorCount: 0 },
    ],
    figures: {
      ops_per_s: 188.7,
      latency_ms_p99: 42.25,
      lock_wait_max_le_ms: 1000,
      payouts: 4_321,
      charged_cents: 1_234_567,
    },
    faults: [{ kind: 'kill', target: 'worker', startedAt: 10_000, endedAt: 15_000 }],
    files: {
      history: '.faultline/runs/r1/payout-storm/history.jsonl',
      junit: '.faultline/runs/r1/payout-storm/junit.xml',
      logs: '.faultline/runs/r1/payout-storm/logs',
    },
    ...overrides,
  };
}
