import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, parse, resolve } from 'node:path';

/** The unprivileged account PostgreSQL runs as when we are root (it refuses to run as root). */
export interface Account {
  name: string;
  uid: number;
  gid: number;
}

function lookup(name: string): Account | undefined {
  let passwd: string;
  try {
    passwd = readFileSync('/etc/passwd', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of passwd.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid && gid) return { name, uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

/**
 * When running as root: the `postgres` account if the system has one (a Debian postgresql install
 * creates it), else a system account `faultline`, created on first use. Otherwise undefined: run as
 * ourselves.
 */
export function postgresAccount(): Account | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const existing = lookup('postgres') ?? lookup('faultline');
  if (existing) return existing;
  try {
    execFileSync(
      'useradd',
      [
        '--system',
        '--user-group',
        '--no-create-home',
        '--home-dir',
        '/nonexistent',
        '--shell',
        '/usr/sbin/nologin',
        'faultline',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(
      `PostgreSQL refuses to run as root and there is no postgres account; creating a system user ` +
        `"faultline" with useradd failed: ${stderr || (err as Error).message}`,
    );
  }
  const created = lookup('faultline');
  if (!created) throw new Error('useradd reported success but user "faultline" is not in /etc/passwd');
  return created;
}

/** Where `account` is stopped on its way to `path`: an ancestor without search (x) permission for it. */
export function traversalBlocker(path: string, account: Account): string | undefined {
  const target = resolve(path);
  const { root } = parse(target);
  const ancestors: string[] = [];
  for (let dir = dirname(target); ; dir = dirname(dir)) {
    ancestors.unshift(dir);
    if (dir === root) break;
  }
  for (const dir of ancestors) {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(dir);
    } catch {
      // Not there yet: mkdirReachable() will create it searchable.
      return undefined;
    }
    const bit = st.uid === account.uid ? 0o100 : st.gid === account.gid ? 0o010 : 0o001;
    if ((st.mode & bit) === 0) {
      const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
      return `${dir} is not traversable (mode ${mode}, owner uid ${st.uid})`;
    }
  }
  return undefined;
}

/**
 * Throws a clear error when `account` cannot reach `path`: every ancestor directory must grant it
 * search (x) permission, or PostgreSQL fails later with a bare "permission denied".
 */
export function assertTraversable(path: string, account: Account): void {
  const blocker = traversalBlocker(path, account);
  if (!blocker) return;
  throw new Error(
    `PostgreSQL runs as user "${account.name}" (it refuses to run as root), which cannot reach ` +
      `${resolve(path)}: ${blocker}. Put the stack directory elsewhere (e.g. under /tmp) or grant ` +
      `search permission on that directory (chmod o+x).`,
  );
}

/** mkdir -p, leaving every directory it creates searchable (x) by other users whatever the umask. */
export function mkdirReachable(path: string): void {
  const target = resolve(path);
  const first = mkdirSync(target, { recursive: true });
  if (first === undefined) return;
  for (let dir = target; ; dir = dirname(dir)) {
    chmodSync(dir, (statSync(dir).mode & 0o7777) | 0o011);
    if (dir === first || dir === dirname(dir)) break;
  }
}
