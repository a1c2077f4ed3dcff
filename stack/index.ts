import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { reapStale, registerCleanup } from './cleanup.ts';
import { type ExporterHandle, startPostgresExporter, startRedisExporter } from './exporters.ts';
import { type HaParts, haParts } from './ha.ts';
import { type HaPostgres, startHaPostgres } from './ha-postgres.ts';
import { type ServiceInfo, type StackInfo, serviceEnvFrom, type Topology } from './info.ts';
import { type PostgresHandle, startPostgres } from './postgres.ts';
import { mkdirReachable, postgresAccount, traversalBlocker } from './postgres-account.ts';
import type { ProcessHandle } from './process.ts';
import { type Proxies, startProxies } from './proxies.ts';
import { type RedisHandle, startRedis } from './redis.ts';
import { removeTargetFile, scrapeTargets, writeTargetFile } from './scrape-targets.ts';
import { type StackSecrets, stackSecrets } from './secrets.ts';
import { type Sentinels, startSentinels } from './sentinel.ts';
import { allRoles, type Role, repoRoot, type ServiceHandle, startService } from './service.ts';
import { makeStackTls, type StackTls } from './tls.ts';

export { MissingBinaryError } from './binaries.ts';
export { registerCleanup } from './cleanup.ts';
export type { ExporterHandle } from './exporters.ts';
export type { HaParts, HaRoles, PostgresMemberRole } from './ha.ts';
export type { HaPostgres, MemberLink } from './ha-postgres.ts';
export type {
  ExporterInfo,
  HaInfo,
  PostgresInfo,
  RedisInfo,
  ServiceInfo,
  StackInfo,
  Topology,
} from './info.ts';
export { redisClientOptions, serviceEnvFrom, TOPOLOGIES } from './info.ts';
export type { Monitoring, MonitoringOptions } from './monitoring.ts';
export { findMonitoringBinaries, startMonitoring } from './monitoring.ts';
export type { MemberStatus, PatroniMember, PatroniSettings } from './patroni.ts';
export { FAST_FAILOVER } from './patroni.ts';
export type { PostgresHandle, PostgresOptions } from './postgres.ts';
export { startPostgres } from './postgres.ts';
export type { ExitStatus, ProcessHandle } from './process.ts';
export { ProcessStartError } from './process.ts';
export type { Proxies, ProxyTargets } from './proxies.ts';
export type { RedisHandle, RedisOptions, RedisRole } from './redis.ts';
export { redisPing, startRedis } from './redis.ts';
export type { RedisGroup, SentinelAddress, Sentinels } from './sentinel.ts';
export type { Role, ServiceHandle, ServiceOptions } from './service.ts';
export { allRoles, healthy, startService } from './service.ts';

export interface StackOptions {
  /** Where data, logs and pids.json go (default `.faultline/stack-<timestamp>` under the repo root). */
  dir?: string;
  /** Service roles to start (default all: bank, api, relay, worker, recon). */
  roles?: Role[];
  /** Number of worker processes when `worker` is among the roles (default 1). */
  workers?: number;
  /** Extra environment for every service (overrides the connection settings too). */
  env?: Record<string, string>;
  /** Receives one progress line at a time (default: silent). */
  log?: (line: string) => void;
  /** Put a toxiproxy proxy between the service roles and Postgres, both Redis and the bank. */
  proxies?: boolean;
  /**
   * Make the stack scrapable by a native Prometheus (stack/monitoring.ts): start the Postgres and
   * Redis exporters when installed, and keep a file_sd target file `<targetsDir>/<stack name>.json`
   * listing every role and exporter (with `labels` added to each) for as long as the stack runs.
   */
  scrape?: { targetsDir: string; labels?: Record<string, string> };
  /**
   * Encrypt and authenticate every link (stack/tls.ts): a throwaway CA; PostgreSQL with ssl=on, TLS-only
   * pg_hba, reached with sslmode=verify-full; both Redis on TLS only with ACL users and passwords of
   * their own; the bank on HTTPS only, refusing requests not signed with the stack's HMAC key.
   */
  tls?: boolean;
  /** Node flags for every service role, e.g. `['--cpu-prof', '--cpu-prof-dir=…']` (bench/profile.ts). */
  nodeArgs?: readonly string[];
  /**
   * `single` (default): one PostgreSQL, one server per Redis. `ha`: PostgreSQL as a Patroni cluster
   * (primary, synchronous and asynchronous standby, etcd) behind HAProxy, each Redis with a replica
   * and three Sentinels (stack/ha-postgres.ts, stack/sentinel.ts). Neither `tls` nor `proxies` with `ha`.
   */
  topology?: Topology;
  /**
   * How durable a commit is when acknowledged; the defaults are the only safe ones, the rest are
   * sabotages that show what the checkers catch. `synchronousCommit: 'off'` on either topology;
   * `synchronousMode: false` (standbys asynchronous) and `replicationLatencyMs` on `ha` only.
   */
  durability?: { synchronousCommit?: 'on' | 'off'; synchronousMode?: boolean; replicationLatencyMs?: number };
}

export interface StartServiceOverrides {
  name?: string;
  env?: Record<string, string>;
  port?: number;
  readyTimeoutMs?: number;
}

/** PostgreSQL, the two Redis servers and the service roles, running natively on 127.0.0.1. */
export interface Stack {
  readonly dir: string;
  readonly postgres: PostgresHandle;
  readonly redisQueue: RedisHandle;
  readonly redisCache: RedisHandle;
  readonly services: readonly ServiceHandle[];
  readonly bank?: ServiceHandle;
  readonly api?: ServiceHandle;
  /** The proxies the roles dial instead of the dependencies, when StackOptions.proxies is set. */
  readonly proxies: Proxies | null;
  readonly topology: Topology;
  /**
   * The Patroni cluster, etcd, HAProxy and Sentinels of an `ha` stack (null on `single`). There
   * `postgres` is the cluster's entry point (HAProxy), and `redisQueue`/`redisCache` are the servers
   * started as masters: ask `ha.sentinels.groups.<role>.master()` for the current one.
   */
  readonly ha: HaParts | null;
  /** Plain JSON: URLs, ports, pids and log files. */
  info(): StackInfo;
  /** The environment a service role of this stack gets (connection settings + StackOptions.env). */
  serviceEnv(): Record<string, string>;
  /** Starts one more role process in this stack (named `<role>`, then `<role>-2`, …). */
  startService(role: Role, overrides?: StartServiceOverrides): Promise<ServiceHandle>;
  /** Stops services (SIGTERM, so workers drain), then Redis and PostgreSQL. Idempotent. */
  stop(): Promise<void>;
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

/** Settles every promise, then throws the first failure (so the caller knows what did start). */
async function allOrFirstError(promises: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

class NativeStack implements Stack {
  readonly services: ServiceHandle[] = [];
  #postgres: PostgresHandle | undefined;
  #redisQueue: RedisHandle | undefined;
  #redisCache: RedisHandle | undefined;
  #stopping: Promise<void> | undefined;
  #proxies: Proxies | null = null;
  #haPostgres: HaPostgres | undefined;
  #sentinels: Sentinels | undefined;
  #exporters: { postgres?: ExporterHandle; redis?: ExporterHandle } = {};
  #targetFile: string | undefined;
  readonly #ledger: string;
  readonly #unregister: () => void;
  readonly #secrets: StackSecrets;
  readonly #tls: StackTls | undefined;

  constructor(
    readonly dir: string,
    private readonly opts: StackOptions,
    private readonly log: (line: string) => void,
  ) {
    this.#ledger = join(dir, 'pids.json');
    this.#secrets = stackSecrets(dir, { bankSigning: Boolean(opts.tls) });
    this.#tls = opts.tls ? makeStackTls(dir) : undefined;
    this.#unregister = registerCleanup(() => this.stop());
  }

  get postgres(): PostgresHandle {
    return required(this.#postgres, 'postgres');
  }
  get redisQueue(): RedisHandle {
    return required(this.#redisQueue, 'redis-queue');
  }
  get redisCache(): RedisHandle {
    return required(this.#redisCache, 'redis-cache');
  }
  get bank(): ServiceHandle | undefined {
    return this.services.find((s) => s.role === 'bank');
  }
  get api(): ServiceHandle | undefined {
    return this.services.find((s) => s.role === 'api');
  }
  get proxies(): Proxies | null {
    return this.#proxies;
  }
  get topology(): Topology {
    return this.opts.topology ?? 'single';
  }
  get ha(): HaParts | null {
    return this.#haPostgres && this.#sentinels ? haParts(this.#haPostgres, this.#sentinels) : null;
  }

  async boot(): Promise<void> {
    const started = performance.now();
    const ledger = this.#ledger;
    const tls = this.#tls;
    if (tls) this.log(`TLS: throwaway CA ${tls.caFile}`);
    const durability = this.opts.durability ?? {};
    const ha = this.topology === 'ha';
    await allOrFirstError([
      ha
        ? startHaPostgres({
            dir: this.dir,
            ledger,
            settings: {
              ...(durability.synchronousCommit ? { synchronousCommit: durability.synchronousCommit } : {}),
              ...(durability.synchronousMode === false ? { synchronousMode: false } : {}),
            },
            ...(durability.replicationLatencyMs
              ? { replicationLatencyMs: durability.replicationLatencyMs }
              : {}),
          }).then((cluster) => {
            this.#haPostgres = cluster;
            this.#postgres = cluster.endpoint;
            const members = cluster.cluster.members.map((m) => `${m.name} :${m.pgPort}`).join(', ');
            this.log(
              `patroni cluster (${members}) and haproxy ready on :${cluster.haproxy.port} (${seconds(started)})`,
            );
          })
        : startPostgres({
            dir: this.dir,
            ledger,
            ...(durability.synchronousCommit ? { synchronousCommit: durability.synchronousCommit } : {}),
            ...(tls
              ? { tls: { caFile: tls.caFile, certFile: tls.certFile, keyFile: tls.postgresKeyFile } }
              : {}),
          }).then((pg) => {
            this.#postgres = pg;
            this.log(`postgres ready on ${pg.host}:${pg.port} (${seconds(started)})`);
          }),
      ...(['queue', 'cache'] as const).map((role) =>
        startRedis({ role, dir: this.dir, ledger, ...(tls ? { tls } : {}) }).then((redis) => {
          if (role === 'queue') this.#redisQueue = redis;
          else this.#redisCache = redis;
          this.log(`redis-${role} ready on ${redis.host}:${redis.port} (${seconds(started)})`);
        }),
      ),
    ]);
    if (ha) {
      this.#sentinels = await startSentinels({
        dir: this.dir,
        masters: { queue: this.redisQueue, cache: this.redisCache },
        ledger,
      });
      this.log(
        `redis replicas and ${this.#sentinels.processes.length} sentinels ready (${seconds(started)})`,
      );
    }
    if (this.opts.scrape) await this.#startExporters(started);
    const roles = new Set(this.opts.roles ?? allRoles);
    if (roles.has('bank')) await this.startService('bank');
    if (this.opts.proxies) {
      this.#proxies = await startProxies({
        dir: this.dir,
        ledger,
        targets: {
          postgres: this.postgres.port,
          redisQueue: this.redisQueue.port,
          redisCache: this.redisCache.port,
          bank: required(this.bank, 'bank (needed behind its proxy)').port,
        },
      });
      this.log(
        `toxiproxy (${this.#proxies.implementation}) ready on ${this.#proxies.apiUrl} (${seconds(started)})`,
      );
    }
    // The api applies the migrations (under an advisory lock) before the other roles need the schema.
    if (roles.has('api')) await this.startService('api');
    const workers = this.opts.workers ?? 1;
    const rest: Promise<ServiceHandle>[] = [];
    if (roles.has('relay')) rest.push(this.startService('relay'));
    if (roles.has('worker')) {
      for (let i = 1; i <= workers; i++) {
        rest.push(this.startService('worker', workers > 1 ? { name: `worker-${i}` } : {}));
      }
    }
    if (roles.has('recon')) rest.push(this.startService('recon'));
    await allOrFirstError(rest);
    if (this.opts.scrape) {
      this.#targetFile = join(this.opts.scrape.targetsDir, `${basename(this.dir)}.json`);
      this.#writeTargets();
      this.log(`scrape targets in ${this.#targetFile}`);
    }
    this.log(`stack ready in ${seconds(started)}; logs in ${join(this.dir, 'logs')}`);
  }

  async #startExporters(started: number): Promise<void> {
    const ledger = this.#ledger;
    // The Redis exporter scrapes each server by URL; with TLS and ACL passwords that would put the
    // passwords into Prometheus's target list, so a --tls stack goes without it.
    if (this.#tls) this.log('redis exporter not started: the stack runs with --tls');
    const [postgres, redis] = await Promise.all([
      startPostgresExporter({ dir: this.dir, databaseUrl: this.postgres.url, ledger }),
      this.#tls ? undefined : startRedisExporter({ dir: this.dir, ledger }),
    ]);
    this.#exporters = { postgres, redis };
    for (const e of [postgres, redis]) if (e) this.log(`${e.name} ready on ${e.url} (${seconds(started)})`);
  }

  #writeTargets(): void {
    if (!this.#targetFile) return;
    writeTargetFile(this.#targetFile, scrapeTargets(this.info(), this.opts.scrape?.labels));
  }

  #freeName(role: Role): string {
    const taken = new Set(this.services.map((s) => s.name));
    if (!taken.has(role)) return role;
    for (let n = 2; ; n++) if (!taken.has(`${role}-${n}`)) return `${role}-${n}`;
  }

  async startService(role: Role, overrides: StartServiceOverrides = {}): Promise<ServiceHandle> {
    if (this.#stopping) throw new Error(`the stack in ${this.dir} is stopped; cannot start ${role}`);
    const started = performance.now();
    const service = await startService({
      role,
      name: overrides.name ?? this.#freeName(role),
      dir: this.dir,
      env: { ...this.serviceEnv(), ...overrides.env },
      port: overrides.port,
      readyTimeoutMs: overrides.readyTimeoutMs,
      ledger: this.#ledger,
      ...(this.opts.nodeArgs ? { nodeArgs: this.opts.nodeArgs } : {}),
      ...(role === 'bank' && this.#tls ? { tls: this.#tls } : {}),
    });
    this.services.push(service);
    this.#writeTargets();
    this.log(`${service.name} ready on ${service.url} (${seconds(started)})`);
    return service;
  }

  serviceEnv(): Record<string, string> {
    const env = serviceEnvFrom(this.info(), this.opts.env);
    const proxies = this.#proxies;
    if (!proxies) return env;
    const via = (url: string, name: Parameters<Proxies['address']>[0]) => {
      const u = new URL(url);
      u.host = proxies.address(name);
      return u.toString().replace(/\/$/, '');
    };
    return {
      ...env,
      DATABASE_URL: via(env.DATABASE_URL as string, 'postgres'),
      REDIS_QUEUE_URL: via(env.REDIS_QUEUE_URL as string, 'redisQueue'),
      REDIS_CACHE_URL: via(env.REDIS_CACHE_URL as string, 'redisCache'),
      ...(env.BANK_URL ? { BANK_URL: via(env.BANK_URL, 'bank') } : {}),
      ...this.opts.env,
    };
  }

  info(): StackInfo {
    const base = (p: ProcessHandle) => ({ name: p.name, pid: p.pid, logFile: p.logFile });
    const pg = this.postgres;
    const service = (s: ServiceHandle): ServiceInfo => ({
      ...base(s),
      role: s.role,
      url: s.url,
      opsUrl: s.opsUrl,
      port: s.port,
    });
    const redis = (r: RedisHandle) => ({ ...base(r), url: r.url, serviceUrl: r.serviceUrl, port: r.port });
    const exporter = (e: ExporterHandle | undefined) => (e ? { ...base(e), url: e.url } : undefined);
    const { postgres: pgExporter, redis: redisExporter } = this.#exporters;
    const ha = this.ha;
    return {
      dir: this.dir,
      logDir: join(this.dir, 'logs'),
      topology: this.topology,
      ...(ha ? { ha: ha.info() } : {}),
      postgres: {
        ...base(pg),
        url: pg.url,
        host: pg.host,
        port: pg.port,
        user: pg.user,
        password: pg.password,
        database: pg.database,
      },
      redisQueue: redis(this.redisQueue),
      redisCache: redis(this.redisCache),
      ...(this.bank ? { bank: service(this.bank) } : {}),
      ...(this.api ? { api: service(this.api) } : {}),
      services: this.services.map(service),
      ...(this.#proxies
        ? {
            toxiproxy: {
              ...base(this.#proxies.server),
              url: this.#proxies.apiUrl,
              implementation: this.#proxies.implementation,
              proxies: Object.fromEntries(
                Object.entries(this.#proxies.links).map(([name, proxy]) => [name, proxy.listen]),
              ),
            },
          }
        : {}),
      ...(pgExporter || redisExporter
        ? { exporters: { postgres: exporter(pgExporter), redis: exporter(redisExporter) } }
        : {}),
      secrets: {
        piiKeysFile: this.#secrets.piiKeysFile,
        ...(this.#secrets.bankSigningKeyFile ? { bankSigningKeyFile: this.#secrets.bankSigningKeyFile } : {}),
      },
      ...(this.#tls ? { tls: { caFile: this.#tls.caFile } } : {}),
    };
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stopAll();
    return this.#stopping;
  }

  async #stopAll(): Promise<void> {
    const errors: unknown[] = [];
    const stopAll = async (handles: (ProcessHandle | undefined)[]) => {
      const results = await Promise.allSettled(handles.map((h) => h?.stop()));
      for (const r of results) if (r.status === 'rejected') errors.push(r.reason);
    };
    // Out of Prometheus's sight first, so a stopping stack does not look like an outage.
    if (this.#targetFile) removeTargetFile(this.#targetFile);
    // The bank goes last among the services: draining workers still call it.
    await stopAll(this.services.filter((s) => s.role !== 'bank'));
    await stopAll(this.services.filter((s) => s.role === 'bank'));
    await stopAll([this.#proxies?.server, this.#exporters.postgres, this.#exporters.redis]);
    await this.#sentinels?.stop();
    await stopAll([this.#redisQueue, this.#redisCache]);
    if (this.#haPostgres) await this.#haPostgres.stop().catch((err: unknown) => errors.push(err));
    else await stopAll([this.#postgres]);
    this.#unregister();
    this.log(`stack in ${this.dir} stopped`);
    if (errors.length > 0) throw new AggregateError(errors, `stopping the stack in ${this.dir} failed`);
  }
}

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`${name} is not running in this stack`);
  return value;
}

/**
 * Directory of a new stack: `.faultline/stack-<timestamp>` under the repo root, unless PostgreSQL's
 * account could not reach it there (a checkout under /root, say), then the same name under the
 * system's temp dir.
 */
function defaultDir(log: (line: string) => void): string {
  const name = `stack-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const preferred = join(repoRoot, '.faultline', name);
  const account = postgresAccount();
  const blocker = account && traversalBlocker(join(preferred, 'pg'), account);
  if (!account || !blocker) return preferred;
  const fallback = join(tmpdir(), 'faultline', name);
  log(`postgres runs as ${account.name}, and ${blocker}: using ${fallback} instead`);
  return fallback;
}

/**
 * Starts PostgreSQL and both Redis servers in parallel, then bank, api, and relay/worker(s)/recon.
 * Anything that fails half-way stops what had started, and the error is rethrown.
 */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  if (opts.topology === 'ha' && (opts.tls || opts.proxies)) {
    throw new Error(
      `topology ha runs without ${opts.tls ? 'tls' : 'proxies'}: its links are Patroni's, HAProxy's and Sentinel's (see docs/failover.md)`,
    );
  }
  const log = opts.log ?? (() => undefined);
  const dir = resolve(opts.dir ?? defaultDir(log));
  mkdirReachable(dir);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const reaped = reapStale([join(repoRoot, '.faultline'), dirname(dir)]);
  if (reaped.length > 0)
    log(`killed ${reaped.length} process(es) left by dead runners: ${reaped.join(', ')}`);
  const stack = new NativeStack(dir, opts, log);
  try {
    await stack.boot();
  } catch (err) {
    log(`start-up failed; stopping what had started`);
    await stack.stop().catch(() => undefined);
    throw err;
  }
  return stack;
}
