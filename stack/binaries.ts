import { execFileSync } from 'node:child_process';
import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A system program the native stack needs is not installed; the message says how to install it. */
export class MissingBinaryError extends Error {
  constructor(
    readonly binary: string,
    detail: string,
  ) {
    super(`${binary} not found: ${detail}`);
    this.name = 'MissingBinaryError';
  }
}

const redisInstall =
  'install it with `apt-get install redis-server` (Debian/Ubuntu) or `brew install redis` (macOS), ' +
  'or run `node scripts/bootstrap.mjs`, which does it for you';
const postgresInstall =
  'install it with `apt-get install postgresql` (Debian/Ubuntu) or `brew install postgresql@16` (macOS), ' +
  'or run `node scripts/bootstrap.mjs`, which does it for you';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first `name` on PATH that is executable. */
export function onPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Path of redis-server: an explicit path (checked), else PATH, else the usual install locations. */
export function findRedisServer(explicit?: string): string {
  if (explicit) {
    if (isExecutable(explicit)) return explicit;
    throw new MissingBinaryError('redis-server', `${explicit} is not an executable file; ${redisInstall}`);
  }
  const found =
    onPath('redis-server') ??
    ['/usr/bin', '/usr/local/bin', '/opt/homebrew/bin']
      .map((d) => join(d, 'redis-server'))
      .find(isExecutable);
  if (found) return found;
  throw new MissingBinaryError(
    'redis-server',
    `not on PATH nor in /usr/bin, /usr/local/bin; ${redisInstall}`,
  );
}

export interface PostgresBinaries {
  bindir: string;
  initdb: string;
  postgres: string;
}

function fromBindir(bindir: string): PostgresBinaries | undefined {
  const initdb = join(bindir, 'initdb');
  const postgres = join(bindir, 'postgres');
  return isExecutable(initdb) && isExecutable(postgres) ? { bindir, initdb, postgres } : undefined;
}

/** `<base>/<entry>/bin` for entries matching `pattern`, highest version first; [] when `base` is absent. */
function versionedBindirs(base: string, pattern: RegExp): string[] {
  let entries: string[];
  try {
    entries = readdirSync(base).filter((d) => pattern.test(d));
  } catch {
    return [];
  }
  const version = (d: string) => Number.parseFloat(d.replace(/^\D+/, ''));
  return entries.sort((a, b) => version(b) - version(a)).map((d) => join(base, d, 'bin'));
}

/**
 * initdb and postgres: an explicit bindir (checked), else the highest /usr/lib/postgresql/<major>/bin
 * (Debian keeps them off PATH) or Homebrew keg (postgresql@16 is keg-only), else `pg_config --bindir`,
 * else PATH.
 */
export function findPostgresBinaries(explicitBindir?: string): PostgresBinaries {
  if (explicitBindir) {
    const found = fromBindir(explicitBindir);
    if (found) return found;
    throw new MissingBinaryError(
      'PostgreSQL (initdb, postgres)',
      `${explicitBindir} does not hold executable initdb and postgres; ${postgresInstall}`,
    );
  }
  const bindirs = [
    ...versionedBindirs('/usr/lib/postgresql', /^\d+(\.\d+)?$/),
    ...versionedBindirs('/opt/homebrew/opt', /^postgresql@\d+$/),
    ...versionedBindirs('/usr/local/opt', /^postgresql@\d+$/),
  ];
  for (const bindir of bindirs) {
    const found = fromBindir(bindir);
    if (found) return found;
  }
  try {
    const bindir = execFileSync('pg_config', ['--bindir'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const found = fromBindir(bindir.trim());
    if (found) return found;
  } catch {
    // pg_config absent (client-only installs often lack it too).
  }
  const initdb = onPath('initdb');
  const postgres = onPath('postgres');
  if (initdb && postgres) return { bindir: '', initdb, postgres };
  throw new MissingBinaryError(
    'PostgreSQL (initdb, postgres)',
    `not in /usr/lib/postgresql/*/bin, \`pg_config --bindir\` or PATH; ${postgresInstall}`,
  );
}
