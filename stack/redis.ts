import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { findRedisServer } from './binaries.ts';
import { freePort } from './ports.ts';
import { ManagedProcess, type ProcessHandle } from './process.ts';

/** `queue` holds BullMQ's jobs (must never evict, survives a crash); `cache` is disposable. */
export type RedisRole = 'queue' | 'cache';

export interface RedisOptions {
  role: RedisRole;
  /** Stack directory: data in `<dir>/redis-<role>`, log in `<dir>/logs/<name>.log`. */
  dir: string;
  port?: number;
  /** Process name (default `redis-<role>`). */
  name?: string;
  /** Path of redis-server (default: found on PATH). */
  bin?: string;
  readyTimeoutMs?: number;
  /** Pid ledger file to be listed in (see cleanup.ts). */
  ledger?: string;
}

/** A running redis-server. */
export interface RedisHandle extends ProcessHandle {
  readonly role: RedisRole;
  readonly host: string;
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
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
  ) {
    super(spec);
  }

  override get port(): number {
    return this.spec.port as number;
  }

  get url(): string {
    return `redis://${HOST}:${this.port}`;
  }
}

/** True when the server at host:port answers PING with PONG within `timeoutMs` (not while it loads its AOF). */
export function redisPing(port: number, host = HOST, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host, port });
    let reply = '';
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG'));
    });
  });
}

/** Starts redis-server on 127.0.0.1 configured for `role`. */
export async function startRedis(opts: RedisOptions): Promise<RedisHandle> {
  const bin = findRedisServer(opts.bin);
  const dir = resolve(opts.dir);
  const dataDir = join(dir, `redis-${opts.role}`);
  mkdirSync(dataDir, { recursive: true });
  const name = opts.name ?? `redis-${opts.role}`;
  const port = opts.port ?? (await freePort(HOST));
  const server = new RedisServer(
    {
      name,
      command: bin,
      args: [
        ...['--bind', HOST],
        ...['--port', String(port)],
        ...['--protected-mode', 'no'],
        ...['--daemonize', 'no'],
        ...['--dir', dataDir],
        ...roleArgs[opts.role],
      ],
      logFile: join(dir, 'logs', `${name}.log`),
      cwd: dataDir,
      port,
      ready: () => redisPing(port),
      readyTimeoutMs: opts.readyTimeoutMs ?? 30_000,
      ledger: opts.ledger,
    },
    opts.role,
  );
  await server.start();
  return server;
}
