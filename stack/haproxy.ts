import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MissingBinaryError, onPath } from './binaries.ts';
import { freePort } from './ports.ts';
import { answersSelect1 } from './postgres.ts';
import { ManagedProcess, type ProcessHandle } from './process.ts';

/**
 * HAProxy in front of a Patroni cluster, as Patroni's own haproxy.cfg example does it: one TCP port for
 * every client, forwarded to whichever member's agent answers `GET /primary` with 200. Every role keeps
 * one DATABASE_URL across failovers; when a member stops being primary its sessions are shut, so pools
 * reconnect to the new one instead of writing to a demoted server.
 */

const HOST = '127.0.0.1';

export const haproxyInstall =
  'install it with `apt-get install haproxy` (Debian/Ubuntu), or run `node scripts/bootstrap.mjs`';

export interface HaproxyBackend {
  name: string;
  pgPort: number;
  restPort: number;
}

export interface HaproxyHandle extends ProcessHandle {
  /** Where clients connect for the primary. */
  readonly port: number;
  /** HAProxy's own HTTP listener: `/metrics` (Prometheus) and `/stats;csv`. */
  readonly statsUrl: string;
  /**
   * Each member's state in HAProxy's eyes: `UP`, `DOWN`, or a transition (`UP 1/2`: one check failed,
   * still forwarded to; `DOWN 1/1`: one passed, not yet).
   */
  serverStates(): Promise<Record<string, string>>;
  /** The members HAProxy forwards new connections to right now: the primary, normally alone. */
  upServers(): Promise<string[]>;
}

class Haproxy extends ManagedProcess implements HaproxyHandle {
  constructor(
    spec: ConstructorParameters<typeof ManagedProcess>[0],
    readonly statsUrl: string,
  ) {
    super(spec);
  }

  override get port(): number {
    return this.spec.port as number;
  }

  async serverStates(): Promise<Record<string, string>> {
    const res = await fetch(`${this.statsUrl}/stats;csv`, { signal: AbortSignal.timeout(1_000) });
    const lines = (await res.text()).split('\n');
    const header = (lines[0] ?? '').replace(/^# /, '').split(',');
    const [px, sv, status] = ['pxname', 'svname', 'status'].map((c) => header.indexOf(c));
    const states: Record<string, string> = {};
    for (const f of lines.slice(1).map((l) => l.split(','))) {
      const server = f[sv as number] ?? '';
      if (f[px as number] !== 'primary' || server === 'FRONTEND' || server === 'BACKEND') continue;
      states[server] = f[status as number] ?? '';
    }
    return states;
  }

  async upServers(): Promise<string[]> {
    const states = await this.serverStates();
    return Object.keys(states).filter((s) => states[s]?.startsWith('UP'));
  }
}

/**
 * The configuration. Checks every 500 ms, down after 2 failures, up after 1 success: a new primary takes
 * traffic within about a second of Patroni promoting it (Patroni's example uses 3 s / 3 / 2, for a
 * cluster whose own failover takes 30 s).
 */
export function haproxyConfig(port: number, statsPort: number, backends: readonly HaproxyBackend[]): string {
  return [
    '# Written by stack/haproxy.ts: the primary of the Patroni cluster on one port.',
    'global',
    '    maxconn 2000',
    '    log stdout format raw local0 notice',
    'defaults',
    '    mode tcp',
    '    log global',
    '    timeout connect 2s',
    // Pools keep connections open for minutes; HAProxy must not cut an idle one.
    '    timeout client 30m',
    '    timeout server 30m',
    '    timeout check 1s',
    'frontend stats',
    '    mode http',
    `    bind ${HOST}:${statsPort}`,
    '    timeout client 10s',
    '    http-request use-service prometheus-exporter if { path /metrics }',
    '    stats enable',
    '    stats uri /stats',
    'listen primary',
    `    bind ${HOST}:${port}`,
    '    option httpchk GET /primary',
    '    http-check expect status 200',
    '    default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions',
    ...backends.map((b) => `    server ${b.name} ${HOST}:${b.pgPort} maxconn 300 check port ${b.restPort}`),
    '',
  ].join('\n');
}

/** Starts HAProxy in the foreground; ready once a query through it reaches the primary. */
export async function startHaproxy(opts: {
  dir: string;
  backends: readonly HaproxyBackend[];
  password: string;
  ledger?: string;
}): Promise<HaproxyHandle> {
  // Debian installs it in /usr/sbin, which a non-root PATH lacks.
  const command = onPath('haproxy') ?? onPath('haproxy', '/usr/sbin:/usr/local/sbin');
  if (!command) throw new MissingBinaryError('haproxy', haproxyInstall);
  const [port, statsPort] = [await freePort(HOST), await freePort(HOST)];
  const configFile = join(opts.dir, 'haproxy.cfg');
  writeFileSync(configFile, haproxyConfig(port, statsPort, opts.backends));
  let proxy: Haproxy | undefined;
  proxy = new Haproxy(
    {
      name: 'haproxy',
      command,
      // -db: stay in the foreground, so it is our child and its log goes to its log file.
      args: ['-db', '-f', configFile],
      logFile: join(opts.dir, 'logs', 'haproxy.log'),
      cwd: opts.dir,
      port,
      // HAProxy counts every server up until its first check fails: ready once the primary is the only one.
      ready: async () =>
        (await proxy?.upServers())?.length === 1 &&
        answersSelect1({ port, password: opts.password, writable: true }),
      readyTimeoutMs: 30_000,
      stopTimeoutMs: 5_000,
      ...(opts.ledger ? { ledger: opts.ledger } : {}),
    },
    `http://${HOST}:${statsPort}`,
  );
  await proxy.start();
  return proxy;
}
