import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { findRedisServer } from './binaries.ts';
import { freePort } from './ports.ts';
import { ManagedProcess, type ProcessHandle } from './process.ts';

/** `queue` holds BullMQ's jobs (must never evict, survives a crash); `cache` is disposable. */
export type RedisRole = 'queue' | 'cache';

export interface RedisOptions {
  role: RedisRole;
  /** Stack directory: data in `<dir>/<name>`, log in `<dir>/logs/<name>.log`. */
  dir: string;
  port?: number;
  /** Process name (default `redis-<role>`). */
  name?: string;
  /** Path of redis-server (default: found on PATH). */
  bin?: string;
  readyTimeoutMs?: number;
  /** Pid ledger file to be listed in (see cleanup.ts). */
  ledger?: string;
  /**
   * TLS only (no plain port) with this certificate, and ACL users instead of the open default user:
   * `admin` for the harness, `faultline` for the service (no admin or dangerous commands), each with
   * a password of its own, new for every server.
   */
  tls?: { caFile: string; certFile: string; keyFile: string };
  /** Start as a replica of the server on this port of 127.0.0.1 (Sentinel may reconfigure it later). */
  replicaOf?: number;
}

/** Who connects how, for a TLS server; absent for a plain one. */
export interface RedisCredentials {
  caFile: string;
  admin: { user: string; password: string };
  service: { user: string; password: string };
}

/** A running redis-server. */
export interface RedisHandle extends ProcessHandle {
  readonly role: RedisRole;
  readonly host: string;
  readonly port: number;
  /** The harness's URL: `redis://127.0.0.1:<port>`, or with TLS `rediss://admin:<pw>@127.0.0.1:<port>`. */
  readonly url: string;
  /** The service roles' URL: the same as `url` without TLS, else the `faultline` user's. */
  readonly serviceUrl: string;
  readonly credentials?: RedisCredentials;
}

const HOST = '127.0.0.1';

const roleArgs: Record<RedisRole, string[]> = {
  // BullMQ's production guide: noeviction, or Redis may silently drop job keys under memory pressure.
  // AOF with a once-a-second fsync: a crash loses at most about one second of queue writes.
  queue: [
    ...['--maxmemory', '256mb'],
    ...['--maxmemory-policy', 'noeviction'],
    ...['--appendonly', 'yes'],
    ...['--appendfsync', 'everysec'],
  ],
  // A cache may lose anything at any time: evict least-recently-used keys, persist nothing.
  cache: [
    ...['--maxmemory', '128mb'],
    ...['--maxmemory-policy', 'allkeys-lru'],
    ...['--appendonly', 'no'],
    '--save',
    '',
  ],
};

class RedisServer extends ManagedProcess implements RedisHandle {
  readonly host = HOST;

  constructor(
    spec: ConstructorParameters<typeof ManagedProcess>[0],
    readonly role: RedisRole,
    readonly credentials?: RedisCredentials,
  ) {
    super(spec);
  }

  override get port(): number {
    return this.spec.port as number;
  }

  get url(): string {
    return this.#url(this.credentials?.admin);
  }

  get serviceUrl(): string {
    return this.#url(this.credentials?.service);
  }

  #url(who?: { user: string; password: string }): string {
    if (!who) return `redis://${HOST}:${this.port}`;
    return `rediss://${who.user}:${encodeURIComponent(who.password)}@${HOST}:${this.port}`;
  }
}

/**
 * True when the server at host:port answers PING with PONG within `timeoutMs` (not while it loads its
 * AOF). With `credentials`, over TLS and after AUTH as the admin user.
 */
export function redisPing(
  port: number,
  host = HOST,
  timeoutMs = 1_000,
  credentials?: RedisCredentials,
): Promise<boolean> {
  return new Promise((done) => {
    const socket = credentials
      ? tlsConnect({ host, port, ca: readFileSync(credentials.caFile) })
      : connect({ host, port });
    let reply = '';
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once(credentials ? 'secureConnect' : 'connect', () => {
      const { user, password } = credentials?.admin ?? {};
      socket.write(credentials ? `AUTH ${user} ${password}\r\nPING\r\n` : 'PING\r\n');
    });
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      const lines = reply.split('\r\n');
      const expected = credentials ? 2 : 1;
      if (lines.length > expected) finish(lines[expected - 1] === '+PONG');
    });
  });
}

/**
 * The ACL file of a TLS server: no default user; `admin` may do anything (the harness: CONFIG SET,
 * FLUSHALL, DEBUG); `faultline`, the service, may not run admin or dangerous commands, except INFO and
 * naming its connection, which BullMQ needs. Passwords are stored as their sha256, not in the clear.
 */
function aclFile(
  dataDir: string,
  tls: NonNullable<RedisOptions['tls']>,
): { file: string; credentials: RedisCredentials } {
  const password = () => randomBytes(18).toString('base64url');
  const credentials: RedisCredentials = {
    caFile: tls.caFile,
    admin: { user: 'admin', password: password() },
    service: { user: 'faultline', password: password() },
  };
  const hash = (p: string) => createHash('sha256').update(p).digest('hex');
  const file = join(dataDir, 'users.acl');
  writeFileSync(
    file,
    [
      'user default off',
      `user admin on #${hash(credentials.admin.password)} ~* &* +@all`,
      `user faultline on #${hash(credentials.service.password)} ~* &* +@all -@admin -@dangerous +info +client|setname +client|getname`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return { file, credentials };
}

/** Starts redis-server on 127.0.0.1 configured for `role`. */
export async function startRedis(opts: RedisOptions): Promise<RedisHandle> {
  const bin = findRedisServer(opts.bin);
  const dir = resolve(opts.dir);
  const name = opts.name ?? `redis-${opts.role}`;
  const dataDir = join(dir, name);
  mkdirSync(dataDir, { recursive: true });
  const port = opts.port ?? (await freePort(HOST));
  const acl = opts.tls ? aclFile(dataDir, opts.tls) : undefined;
  const listen = opts.tls
    ? [
        ...['--port', '0', '--tls-port', String(port)],
        ...['--tls-cert-file', opts.tls.certFile, '--tls-key-file', opts.tls.keyFile],
        ...['--tls-ca-cert-file', opts.tls.caFile, '--tls-auth-clients', 'no'],
        ...['--aclfile', (acl as { file: string }).file],
      ]
    : ['--port', String(port)];
  const server = new RedisServer(
    {
      name,
      command: bin,
      args: [
        ...['--bind', HOST],
        ...listen,
        ...['--protected-mode', 'no'],
        ...['--daemonize', 'no'],
        ...['--dir', dataDir],
        ...roleArgs[opts.role],
        ...(opts.replicaOf ? ['--replicaof', HOST, String(opts.replicaOf)] : []),
      ],
      logFile: join(dir, 'logs', `${name}.log`),
      cwd: dataDir,
      port,
      ready: () => redisPing(port, HOST, 1_000, acl?.credentials),
      readyTimeoutMs: opts.readyTimeoutMs ?? 30_000,
      ledger: opts.ledger,
    },
    opts.role,
    acl?.credentials,
  );
  await server.start();
  return server;
}
