import { describe, expect, it } from 'vitest';
import { suiteExitCode } from './exit-code.ts';

const runs = (...verdicts: Array<'pass' | 'fail' | 'vacuous' | 'skipped' | 'error'>) =>
  verdicts.map((verdict) => ({ verdict }));

describe('suiteExitCode', () => {
  it('0 when what ran passed, skipped ones aside', () => {
    expect(suiteExitCode(runs('pass', 'pass'))).toBe(0);
    expect(suiteExitCode(runs('pass', 'skipped'))).toBe(0);
  });

  it('1 when a run failed or was vacuous, whatever else was skipped', () => {
    expect(suiteExitCode(runs('pass', 'fail'))).toBe(1);
    expect(suiteExitCode(runs('skipped', 'vacuous'))).toBe(1);
  });

  it('2 when a run broke, or nothing ran: every scenario skipped is no pass', () => {
    expect(suiteExitCode(runs('pass', 'error'))).toBe(2);
    expect(suiteExitCode(runs('skipped', 'skipped'))).toBe(2);
    expect(suiteExitCode([])).toBe(2);
  });
});
