import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { type ScenarioResult, writeResult } from './result.ts';
import { historyLineProblems, parseResult, type scenarioResultSchema } from './schema.ts';
import { sampleResult } from './test-fixtures.ts';

describe('scenarioResultSchema', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('has exactly the ScenarioResult type', () => {
    expectTypeOf<z.infer<typeof scenarioResultSchema>>().toEqualTypeOf<ScenarioResult>();
  });

  it('round-trips a result written to result.json', () => {
    dir = mkdtempSync(join(tmpdir(), 'faultline-result-'));
    const result = sampleResult({
      verdict: 'fail',
      sabotage: 'skip-row-lock',
      checks: [
        {
          name: 'exact-debits',
          description: 'Debited exactly.',
          valid: false,
          errorCount: 1,
          first: { kind: 'balance', expected: 10, actual: -20 },
          worst: { kind: 'balance', expected: 10, actual: -20 },
          last: { kind: 'balance', expected: 10, actual: -20 },
          figures: { debited: 4 },
        },
      ],
      faults: [
        { kind: 'partition', target: 'api↔postgres', startedAt: 5, endedAt: null, note: 'run ended first' },
      ],
    });
    const path = writeResult(join(dir, 'run'), result);
    expect(path).toBe(join(dir, 'run', 'result.json'));
    expect(parseResult(JSON.parse(readFileSync(path, 'utf8')))).toEqual(result);
  });

  it('accepts an error verdict with its message', () => {
    expect(() => parseResult(sampleResult({ verdict: 'error', error: 'stack failed' }))).not.toThrow();
  });

  it.each([
    [
      'a passing verdict with an invalid check',
      { checks: [{ name: 'x', description: '', valid: false, errorCount: 1 }] },
    ],
    ['an error verdict without a message', { verdict: 'error' as const }],
    ['a vacuous verdict without its reasons', { verdict: 'vacuous' as const }],
    ['operations that do not add up', { operations: { total: 10, ok: 1, fail: 1, info: 1 } }],
    ['an unknown scale', { scale: 'huge' as 'ci' }],
    ['a heal before its fault', { faults: [{ kind: 'kill', target: 'api', startedAt: 10, endedAt: 5 }] }],
    ['a non-ISO start', { startedAt: 'yesterday' }],
    ['a NaN figure', { figures: { x: Number.NaN } }],
  ])('rejects %s', (_, overrides) => {
    expect(() => parseResult(sampleResult(overrides))).toThrow();
  });

  it('rejects another schema version', () => {
    expect(() => parseResult({ ...sampleResult(), schemaVersion: 2 })).toThrow();
  });
});

describe('historyLineProblems', () => {
  it('accepts ops of every type, with or without value and error', () => {
    expect(
      historyLineProblems({ index: 0, process: 1, type: 'invoke', f: 'payout', value: { a: 1 }, time: 0 }),
    ).toEqual([]);
    expect(
      historyLineProblems({ index: 1, process: -1, type: 'info', f: 'kill', time: 2.5, error: 'timeout' }),
    ).toEqual([]);
  });

  it('names every problem of a bad line', () => {
    expect(historyLineProblems([])).toEqual(['not an object']);
    expect(historyLineProblems({ index: -1, process: 1.5, type: 'done', f: '', time: -1, error: 3 })).toEqual(
      [
        'index must be an integer ≥ 0',
        'process must be an integer',
        'type must be invoke, ok, fail or info',
        'f must be a non-empty string',
        'time must be a number ≥ 0',
        'error must be a string when present',
      ],
    );
  });
});
