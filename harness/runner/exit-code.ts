import type { ScenarioResult } from '../report/result.ts';

/**
 * The exit code of `run` (and `npm start`): 0 when every run passed or was skipped and one at least
 * ran, 1 when one failed or was vacuous, 2 when one ended in error or none ran at all (a target that
 * can run none of the scenarios asked for has proved nothing).
 */
export function suiteExitCode(results: ReadonlyArray<Pick<ScenarioResult, 'verdict'>>): number {
  if (results.some((r) => r.verdict === 'error')) return 2;
  if (results.some((r) => r.verdict === 'fail' || r.verdict === 'vacuous')) return 1;
  return results.some((r) => r.verdict === 'pass') ? 0 : 2;
}
