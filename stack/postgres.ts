import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { findPostgresBinaries } from './binaries.ts';
import { freePort } from './ports.ts';
import { type Account, assertTraversable, mkdirReachable, postgresAccount } from './postgres-account.ts';
import { cmdlineOf, isAlive } from './proc.ts';
import { ManagedProcess, type ProcessHandle, type ProcessSpec, runToCompletion } from './process.ts';

export interface PostgresOptions {
  /** Stack directory: the cluster goes in `<dir>/pg`, its log in `<dir>/logs/<name>.log`. */
  dir: string;
  port?: number;
  /** Process name, for logs and errors (default `postgres`). */
  name?: string;
  /** Directory holding initdb and postgres (default: found as findPostgresBinaries() says). */
  bindir?: string;
  /** Password of an existing cluster in `<dir>/pg`; a new cluster gets a fresh random one. */
  password?: string;
  readyTimeoutMs?: number;
  /** Pid ledger file to be listed in (see cleanup.ts). */
  ledger?: string;
  /**
   * Serve TLS only (ssl=on; pg_hba refuses every connection without it) with this certificate; the
   * URLs then ask for `sslmode=verify-full` against `caFile`. The key must be the account's own, 0600.
   */
  tls?: { caFile: string; certFile: string; keyFile: string };
  /** PostgreSQL's synchronous_commit (default on); `off` acknowledges commits before their WAL is flushed. */
  synchronousCommit?: 'on' | 'off';
}

/** A running PostgreSQL cluster. */
export interface PostgresHandle extends ProcessHandle {
  readonly port: number;
  readonly host: string;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  readonly dataDir: string;
  /** `postgres://faultline:<pw>@127.0.0.1:<port>/faultline` */
  readonly url: string;
  /** URL of database `database` (default: the stack's) on this cluster. */
  urlFor(database: string): string;
  /** Creates database `name` unless it exists; returns its URL. */
  createDatabase(name: string): Promise<string>;
}

const HOST = '127.0.0.1';
const USER = 'faultline';
const DATABASE = 'faultline';

class PostgresServer extends ManagedProcess implements PostgresHandle {
  readonly host = HOST;
  readonly user = USER;
  readonly database = DATABASE;

  constructor(
    spec: ProcessSpec,
    readonly password: string,
    readonly dataDir: string,
    private readonly caFile?: string,
  ) {
    super(spec);
  }

  override get port(): number {
    return this.spec.port as number;
  }

  get url(): string {
    return this.urlFor(DATABASE);
  }

  urlFor(database: string): string {
    const url = `postgres://${USER}:${encodeURIComponent(this.password)}@${HOST}:${this.port}/${database}`;
    // verify-full: the certificate must chain to our CA and name 127.0.0.1 (it does, as an IP SAN).
    return this.caFile ? `${url}?sslmode=verify-full&sslrootcert=${encodeURIComponent(this.caFile)}` : url;
  }

  createDatabase(name: string): Promise<string> {
    return createDatabaseOn(this, name);
  }
}

/** Creates database `name` on the server `urlFor` reaches unless it exists; returns its URL. */
export async function createDatabaseOn(
  server: Pick<PostgresHandle, 'urlFor'>,
  name: string,
): Promise<string> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    throw new Error(`database name ${JSON.stringify(name)} must match [a-z_][a-z0-9_]*`);
  }
  const client = new pg.Client({ connectionString: server.urlFor('postgres') });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } catch (err) {
    // 42P04 duplicate_database: it is already there, which is what the caller wants.
    if ((err as { code?: string }).code !== '42P04') throw err;
  } finally {
    await client.end().catch(() => undefined);
  }
  return server.urlFor(name);
}

/**
 * True when `SELECT 1` as the stack's superuser on 127.0.0.1:`port` succeeds within about a second;
 * with `writable`, only when the server it reached is a primary (not in recovery).
 */
export async function answersSelect1(opts: {
  port: number;
  password: string;
  caFile?: string;
  writable?: boolean;
}): Promise<boolean> {
  const client = new pg.Client({
    host: HOST,
    port: opts.port,
    user: USER,
    password: opts.password,
    database: 'postgres',
    connectionTimeoutMillis: 1_000,
    ...(opts.caFile ? { ssl: { ca: readFileSync(opts.caFile, 'utf8') } } : {}),
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ primary: boolean }>('SELECT NOT pg_is_in_recovery() AS primary');
    return !opts.writable || rows[0]?.primary === true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The environment of initdb and postgres: ours without PG* variables, with a locale every system has. */
export function postgresEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('PG')) env[key] = value;
  }
  env.LC_ALL = 'C';
  return env;
}

/** A SIGKILLed postmaster leaves postmaster.pid behind; remove it only when that pid is not a live postgres. */
function clearStalePidFile(dataDir: string): void {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  if (pid > 0 && isAlive(pid) && (cmdlineOf(pid) ?? 'postgres').includes('postgres')) {
    throw new Error(
      `${dataDir} is in use by a running postgres (pid ${pid}); stop it before starting another`,
    );
  }
  rmSync(pidFile, { force: true });
}

async function initCluster(opts: {
  initdb: string;
  dir: string;
  dataDir: string;
  password: string;
  account: Account | undefined;
  env: NodeJS.ProcessEnv;
}): Promise<void> {
  const { account, dataDir } = opts;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const pwfile = join(opts.dir, '.pg-pwfile');
  writeFileSync(pwfile, `${opts.password}\n`, { mode: 0o600 });
  if (account) {
    chownSync(dataDir, account.uid, account.gid);
    chownSync(pwfile, account.uid, account.gid);
  }
  try {
    await runToCompletion({
      name: 'initdb',
      command: opts.initdb,
      args: [
        '-D',
        dataDir,
        '--encoding=UTF8',
        // C collation: present on every system, and byte order is what a ledger wants anyway.
        '--locale=C',
        '--auth=scram-sha-256',
        `--username=${USER}`,
        `--pwfile=${pwfile}`,
        // Skips initdb's final fsync only: a process crash keeps the page cache, and the server itself
        // runs with fsync=on, which is what WAL-recovery tests rely on.
        '--no-sync',
      ],
      logFile: join(opts.dir, 'logs', 'initdb.log'),
      env: opts.env,
      cwd: opts.dir,
      uid: account?.uid,
      gid: account?.gid,
    });
  } finally {
    rmSync(pwfile, { force: true });
  }
}

/**
 * Starts PostgreSQL on 127.0.0.1 (TCP only, no Unix socket) with a cluster in `<dir>/pg`, creating the
 * cluster, superuser `faultline` (random password) and database `faultline` on first start.
 */
export async function startPostgres(opts: PostgresOptions): Promise<PostgresHandle> {
  const binaries = findPostgresBinaries(opts.bindir);
  const dir = resolve(opts.dir);
  const dataDir = join(dir, 'pg');
  const name = opts.name ?? 'postgres';
  const account = postgresAccount();
  mkdirReachable(dir);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  if (account) assertTraversable(dataDir, account);

  const fresh = !existsSync(join(dataDir, 'PG_VERSION'));
  if (!fresh && !opts.password) {
    throw new Error(`${dataDir} already holds a cluster: pass its password to reuse it, or use a new dir`);
  }
  const password = opts.password ?? randomBytes(24).toString('base64url');
  const env = postgresEnv();
  if (fresh) await initCluster({ initdb: binaries.initdb, dir, dataDir, password, account, env });

  const port = opts.port ?? (await freePort(HOST));
  const tlsArgs = opts.tls ? tlsSettings(dir, opts.tls, account) : [];
  const server = new PostgresServer(
    {
      name,
      command: binaries.postgres,
      args: [
        '-D',
        dataDir,
        '-p',
        String(port),
        ...['-c', `listen_addresses=${HOST}`],
        ...['-c', 'unix_socket_directories='],
        // 300: a chaos run has api, relay, workers and recon pools plus the harness's own clients.
        ...['-c', 'max_connections=300'],
        ...['-c', 'shared_buffers=128MB'],
        // Crash tests kill -9 the postmaster and expect committed rows back through WAL recovery.
        ...['-c', 'fsync=on'],
        ...['-c', `synchronous_commit=${opts.synchronousCommit ?? 'on'}`],
        ...tlsArgs,
      ],
      logFile: join(dir, 'logs', `${name}.log`),
      env,
      cwd: dir,
      uid: account?.uid,
      gid: account?.gid,
      port,
      ready: () => answersSelect1({ port, password, caFile: opts.tls?.caFile }),
      // WAL recovery after a SIGKILL under load can take a while.
      readyTimeoutMs: opts.readyTimeoutMs ?? 60_000,
      // SIGTERM is "smart" shutdown, which waits for every client to disconnect; SIGINT ("fast")
      // rolls back open transactions and still writes a clean shutdown checkpoint.
      stopSignal: 'SIGINT',
      beforeStart: () => clearStalePidFile(dataDir),
      ledger: opts.ledger,
    },
    password,
    dataDir,
    opts.tls?.caFile,
  );
  await server.start();
  if (fresh) {
    try {
      await server.createDatabase(DATABASE);
    } catch (err) {
      await server.stop();
      throw err;
    }
  }
  return server;
}

/**
 * The settings of a TLS-only server: ssl=on with the stack's certificate, and a pg_hba.conf of its own
 * that accepts password logins over TLS only and rejects anything else, so a client that does not ask
 * for TLS is refused rather than served in the clear.
 */
function tlsSettings(
  dir: string,
  tls: NonNullable<PostgresOptions['tls']>,
  account: Account | undefined,
): string[] {
  const hba = join(dir, 'tls', 'pg_hba.conf');
  writeFileSync(
    hba,
    [
      '# Written by stack/postgres.ts for a --tls stack: TLS or nothing.',
      'hostssl   all all 127.0.0.1/32 scram-sha-256',
      'hostnossl all all 0.0.0.0/0    reject',
      'hostnossl all all ::/0         reject',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  if (account) chownSync(hba, account.uid, account.gid);
  return [
    ...['-c', 'ssl=on'],
    ...['-c', `ssl_cert_file=${tls.certFile}`],
    ...['-c', `ssl_key_file=${tls.keyFile}`],
    ...['-c', `ssl_ca_file=${tls.caFile}`],
    ...['-c', 'ssl_min_protocol_version=TLSv1.2'],
    ...['-c', `hba_file=${hba}`],
  ];
}
