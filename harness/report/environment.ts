/**
 * Where and on what a run happened, for its report: the commit, the versions of what it ran against and
 * the machine (the same fields as a bench result's `machine`, bench/result.ts). Written as environment.json.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, release, totalmem, type } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { repoRoot } from '../../stack/service.ts';

export const ENVIRONMENT_FILE = 'environment.json';

export interface Environment {
  /** The checked-out commit, with `-dirty` when the work tree had changes; null outside a git checkout. */
  commit: string | null;
  node: string;
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

/** Asks the running servers their versions and writes environment.json into the run directory. */
export async function recordEnvironment(
  dir: string,
  servers: { db: Pick<pg.Pool, 'query'>; redis: Pick<Redis, 'info'> },
): Promise<Environment> {
  const postgres = await servers.db
    .query<{ v: string }>("SELECT current_setting('server_version') AS v")
    .then((r) => r.rows[0]?.v ?? null)
    .catch(() => null);
  const redis = await servers.redis
    .info('server')
    .then((text) => /^redis_version:(\S+)/m.exec(text)?.[1] ?? null)
    .catch(() => null);
  const env: Environment = { ...machine(), postgres, redis };
  writeFileSync(join(dir, ENVIRONMENT_FILE), `${JSON.stringify(env, null, 2)}\n`);
  return env;
}
