import { spawnSync } from 'node:child_process';
import { onPath } from '../stack/binaries.ts';
import { repoRoot } from '../stack/service.ts';

/**
 * The system programs the observability checks run (promtool, docker-compose). scripts/bootstrap.mjs
 * installs them with apt-get where it can. Under CI a missing one fails its test; on a developer's
 * machine without them the test is skipped, saying what to install.
 */
export function tool(name: string): string | undefined {
  const found = onPath(name);
  if (!found && process.env.CI) {
    throw new Error(`${name} is not installed, and CI must run this check: see scripts/bootstrap.mjs`);
  }
  return found;
}

export const skipReason = (name: string, pkg: string) =>
  `${name} not found: install it (apt-get install ${pkg}) to run this check; CI always does`;

export interface RunResult {
  status: number | null;
  output: string;
}

/** Runs a program from the repo root; stdout and stderr together, for assertion messages. */
export function runTool(
  command: string,
  args: string[],
  opts: { input?: string; env?: NodeJS.ProcessEnv } = {},
): RunResult {
  const result = spawnSync(command, args, {
    cwd: repoRoot,
    encoding: 'utf8',
    input: opts.input,
    env: opts.env ?? process.env,
    timeout: 60_000,
  });
  return {
    status: result.status,
    output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error?.message ?? ''}`,
  };
}
