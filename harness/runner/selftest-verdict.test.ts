import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../core/check-result.ts';
import { selftestVerdict } from './selftest-verdict.ts';

const check = (name: string, valid: boolean): CheckResult => ({
  name,
  description: '',
  valid,
  errorCount: valid ? 0 : 1,
});

describe('selftestVerdict', () => {
  it('counts a sabotage caught when a check named to catch it failed, and names the others too', () => {
    const result = { verdict: 'fail' as const, checks: [check('a', false), check('b', false)] };
    expect(selftestVerdict(result, ['a'])).toEqual({ caught: true, line: 'caught by a; also failed: b' });
  });

  it('does not count an unrelated failing check', () => {
    const result = { verdict: 'fail' as const, checks: [check('a', true), check('flaky', false)] };
    expect(selftestVerdict(result, ['a'])).toEqual({
      caught: false,
      line: 'NOT CAUGHT by a (only unexpected checks failed: flaky)',
    });
  });

  it('does not count a run that passed, was vacuous or broke', () => {
    for (const verdict of ['pass', 'vacuous'] as const)
      expect(selftestVerdict({ verdict, checks: [check('a', true)] }, ['a']).caught).toBe(false);
    expect(selftestVerdict({ verdict: 'error', checks: [], error: 'boom' }, ['a'])).toEqual({
      caught: false,
      line: 'ERROR (boom)',
    });
  });
});
