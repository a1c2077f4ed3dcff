import type { ScenarioResult } from '../report/result.ts';

/**
 * Whether one selftest run caught its sabotage, and the line that says so: caught only when one of the
 * checks named to catch it failed, so that an unrelated (say, flaky) failing check cannot hide a miss.
 */
export function selftestVerdict(
  result: Pick<ScenarioResult, 'verdict' | 'checks' | 'error'>,
  caughtBy: readonly string[],
): { line: string; caught: boolean } {
  if (result.verdict === 'error') return { line: `ERROR (${result.error})`, caught: false };
  const failed = result.checks.filter((c) => !c.valid).map((c) => c.name);
  const expected = failed.filter((name) => caughtBy.includes(name));
  const others = failed.filter((name) => !caughtBy.includes(name));
  const also = others.length ? `; also failed: ${others.join(', ')}` : '';
  if (expected.length > 0) return { line: `caught by ${expected.join(', ')}${also}`, caught: true };
  const only = others.length ? ` (only unexpected checks failed: ${others.join(', ')})` : '';
  return { line: `NOT CAUGHT by ${caughtBy.join(' or ')}${only}`, caught: false };
}
