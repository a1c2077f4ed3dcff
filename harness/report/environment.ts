/**
 * Where and on what a run happened, for its report: the commit, the versions of what it ran against and
 * the machine (the same fields as a bench result's `machine`, bench/result.ts). Written as environment.json.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, release, totalmem, type } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../lib/repo-root.ts';

export const ENVIRONMENT_FILE = 'environment.json';

export interface Environment {
  /** What ran: the native stack, or a described target (black-box). */
  target?: { name: string; mode: 'native' | 'black-box'; file?: string };
  /** The checked-out commit, with `-dirty` when the work tree had changes; null outside a git checkout. */
  commit: string | null;
  node: string;
  /** The versions the native stack ran; null against a described target (not the harness's to ask). */
  postgres: string | null;
  redis: string | null;
  os: string;
  cpus: number;
  cpuModel: string;
  memGiB: number;
}

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, {
      cwd: repoRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

/** The current commit (short), marked dirty when tracked files differ from it. */
export function currentCommit(): string | null {
  const head = git(['rev-parse', '--short=12', 'HEAD']);
  if (!head) return null;
  const dirty = git(['status', '--porcelain', '--untracked-files=no']);
  return dirty ? `${head}-dirty` : head;
}

/** The machine and the commit: everything but the servers' versions. */
export function machine(): Omit<Environment, 'postgres' | 'redis'> {
  const cores = cpus();
  return {
    commit: currentCommit(),
    node: process.version,
    os: `${type()} ${release()}`,
    cpus: cores.length,
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    memGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
  };
}

/** Writes environment.json into the run directory: the machine, the commit, the target and its versions. */
export function recordEnvironment(
  dir: string,
  run: {
    target: NonNullable<Environment['target']>;
    versions: { postgres: string | null; redis: string | null };
  },
): Environment {
  const env: Environment = { ...machine(), target: run.target, ...run.versions };
  writeFileSync(join(dir, ENVIRONMENT_FILE), `${JSON.stringify(env, null, 2)}\n`);
  return env;
}
