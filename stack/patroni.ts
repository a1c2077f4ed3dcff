import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findPostgresBinaries, MissingBinaryError, onPath } from './binaries.ts';
import { type TrackedProcess, track, untrack } from './cleanup.ts';
import { answersOk } from './http-probe.ts';
import { postgresEnv } from './postgres.ts';
import { type Account, assertTraversable, mkdirReachable, postgresAccount } from './postgres-account.ts';
import { cmdlineOf, familyOf, isAlive, startTimeOf } from './proc.ts';
import { ManagedProcess } from './process.ts';

/**
 * A PostgreSQL cluster managed by Patroni (https://patroni.readthedocs.io): one agent per member,
 * each running its own PostgreSQL as the unprivileged account (PostgreSQL refuses root), the leader
 * lock in etcd. Patroni does the failover; this module only starts, watches and stops the agents.
 *
 * Patroni starts the postmaster detached (its own session, reparented to init) so that an agent can be
 * restarted without stopping PostgreSQL. The postmaster is therefore not among the agent's
 * descendants: each member finds it through `postmaster.pid` and lists it in the pid ledger itself.
 */

const HOST = '127.0.0.1';

export const patroniInstall =
  'install it with `apt-get install patroni` (Debian/Ubuntu), or run `node scripts/bootstrap.mjs`';

/** What Patroni decides with, in seconds (its dynamic configuration, written to etcd at bootstrap). */
export interface PatroniSettings {
  /** Lifetime of the leader lock: a dead leader is replaced about this long after its last renewal. */
  ttl: number;
  /** Seconds between two runs of each agent's loop (lock renewal, health checks). */
  loopWait: number;
  /** How long an agent retries etcd and PostgreSQL before it acts (a leader demotes itself). */
  retryTimeout: number;
  /** Commits wait for one synchronous standby, and only that standby may be promoted. */
  synchronousMode: boolean;
  /** PostgreSQL's synchronous_commit (on unless a sabotage turns it off). */
  synchronousCommit: 'on' | 'off';
}

/**
 * Tuned for failover within seconds in tests (Patroni's defaults: ttl 30, loop_wait 10, retry_timeout
 * 10). Patroni's rule loop_wait + 2 × retry_timeout ≤ ttl holds (1 + 8 ≤ 10), so a leader cut off from
 * etcd demotes itself before its lock expires and a standby may take it. Going lower on 2 busy cores
 * risks a failover whenever an agent's loop stalls for a few seconds; a production cluster keeps the
 * defaults and pays ~30 s per failover.
 */
export const FAST_FAILOVER: PatroniSettings = {
  ttl: 10,
  loopWait: 1,
  retryTimeout: 4,
  synchronousMode: true,
  synchronousCommit: 'on',
};

/** Ports and addresses of one member, chosen before anything starts (its links may be proxied). */
export interface MemberAddresses {
  name: string;
  /** Where PostgreSQL listens (HAProxy and the harness dial it directly). */
  pgPort: number;
  /** Where the agent's REST API listens (HAProxy's health checks dial it directly). */
  restPort: number;
  /** host:port the other members dial for replication, pg_rewind and base backups. */
  pgConnectAddress: string;
  /** host:port the other agents dial for this agent's REST API. */
  restConnectAddress: string;
  /** host:port of etcd as this agent dials it. */
  etcdAddress: string;
}

/** What one agent says about itself (GET /patroni). */
export interface MemberStatus {
  /** Patroni 3.0 says `master` for the primary; newer ones `primary`. */
  role: 'primary' | 'replica' | 'other';
  state: string;
  timeline?: number;
  /** The primary's replication connections: who streams, and which one is synchronous. */
  replication: Array<{ name: string; state: string; sync: boolean }>;
}

/** The PostgreSQL process an agent started, listed in the pid ledger while it lives. */
class Postmaster implements TrackedProcess {
  /** With the pid, names this one process for good (pids get recycled). */
  readonly #startTime: string | undefined;

  constructor(
    readonly name: string,
    readonly pid: number,
    readonly ledger: string | undefined,
  ) {
    this.#startTime = startTimeOf(pid);
  }

  /** Until the process is gone (a dying one, its memory already released, still counts). */
  get alive(): boolean {
    return isAlive(this.pid) && startTimeOf(this.pid) === this.#startTime;
  }

  /** A postmaster.pid may name a pid that has since been given to another program. */
  get isPostgres(): boolean {
    return (cmdlineOf(this.pid) ?? '').includes('postgres');
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    for (const pid of familyOf(this.pid)) {
      try {
        process.kill(pid, signal);
      } catch {
        // Already gone.
      }
    }
  }

  /** Fast shutdown (SIGINT), then SIGKILL of the postmaster and its backends after `timeoutMs`. */
  async stop({ timeoutMs = 10_000 }: { timeoutMs?: number } = {}): Promise<void> {
    if (!this.alive) return;
    try {
      process.kill(this.pid, 'SIGINT');
    } catch {
      return;
    }
    const deadline = Date.now() + timeoutMs;
    while (this.alive && Date.now() < deadline) await sleep(50);
    while (familyOf(this.pid).length > 0 && this.alive) {
      this.kill('SIGKILL');
      await sleep(20);
    }
  }
}

/** One Patroni agent and the PostgreSQL it runs. */
export class PatroniMember {
  readonly agent: ManagedProcess;
  readonly dataDir: string;
  #postmaster: Postmaster | undefined;
  /** What readiness means on the next start: the first member must become the leader. */
  #readyPath = '/health';

  constructor(
    readonly addresses: MemberAddresses,
    private readonly opts: { configFile: string; memberDir: string; logFile: string; ledger?: string },
    account: Account | undefined,
    command: string,
  ) {
    this.dataDir = join(opts.memberDir, 'data');
    this.agent = new ManagedProcess({
      name: addresses.name,
      command,
      args: [opts.configFile],
      logFile: opts.logFile,
      env: postgresEnv(),
      cwd: opts.memberDir,
      uid: account?.uid,
      gid: account?.gid,
      ready: async () => {
        const ok = await answersOk(`${this.restUrl}${this.#readyPath}`);
        if (ok) this.#adoptPostmaster();
        return ok;
      },
      // initdb or a base backup, or crash recovery followed by pg_rewind, comes first.
      readyTimeoutMs: 90_000,
      // Patroni stops PostgreSQL (fast) and gives up its lock on SIGTERM.
      stopTimeoutMs: 30_000,
      ...(opts.ledger ? { ledger: opts.ledger } : {}),
    });
  }

  get name(): string {
    return this.addresses.name;
  }
  get pgPort(): number {
    return this.addresses.pgPort;
  }
  get restUrl(): string {
    return `http://${HOST}:${this.addresses.restPort}`;
  }
  get logFile(): string {
    return this.opts.logFile;
  }
  /** True while the agent runs (its PostgreSQL may be starting, recovering or stopped). */
  get running(): boolean {
    return this.agent.running;
  }

  /** The postmaster's pid, from `postmaster.pid`, when that process is alive; adopts it into the ledger. */
  postmasterPid(): number | undefined {
    this.#adoptPostmaster();
    return this.#postmaster?.alive ? this.#postmaster.pid : undefined;
  }

  /** Starts the agent and resolves once its PostgreSQL runs (as leader, for the first start of the first member). */
  async start({ asLeader = false }: { asLeader?: boolean } = {}): Promise<void> {
    this.#readyPath = asLeader ? '/primary' : '/health';
    await this.#postmaster?.stop();
    await this.agent.start();
  }

  /**
   * The member's host crashing: SIGKILL the agent (so it cannot restart PostgreSQL), then the postmaster
   * and every backend at once. Nothing gets to shut down cleanly or to give up the leader lock.
   */
  async crash(): Promise<void> {
    const postmaster = this.postmasterPid() !== undefined ? this.#postmaster : undefined;
    this.agent.kill('SIGKILL');
    postmaster?.kill('SIGKILL');
    await this.agent.exited;
    while (postmaster?.alive) {
      postmaster.kill('SIGKILL');
      await sleep(10);
    }
  }

  /** Stops the agent (which stops PostgreSQL), then whatever of PostgreSQL outlived it. */
  async stop(): Promise<void> {
    this.#adoptPostmaster();
    await this.agent.stop();
    await this.#postmaster?.stop();
    this.#forgetPostmaster();
  }

  /** What the agent says about itself; null when it does not answer within a second. */
  async status(): Promise<MemberStatus | null> {
    try {
      const res = await fetch(`${this.restUrl}/patroni`, { signal: AbortSignal.timeout(1_000) });
      const body = (await res.json()) as {
        role?: string;
        state?: string;
        timeline?: number;
        replication?: Array<{ application_name: string; state: string; sync_state: string }>;
      };
      const role = body.role === 'master' || body.role === 'primary' ? 'primary' : body.role;
      return {
        role: role === 'primary' || role === 'replica' ? role : 'other',
        state: body.state ?? 'unknown',
        ...(body.timeline !== undefined ? { timeline: body.timeline } : {}),
        replication: (body.replication ?? []).map((r) => ({
          name: r.application_name,
          state: r.state,
          sync: r.sync_state === 'sync',
        })),
      };
    } catch {
      return null;
    }
  }

  /** Lists the running postmaster in the ledger (and forgets one that exited): it outlives agents. */
  #adoptPostmaster(): void {
    const pid = readPostmasterPid(this.dataDir);
    if (this.#postmaster && this.#postmaster.pid === pid && this.#postmaster.alive) return;
    this.#forgetPostmaster();
    if (pid === undefined) return;
    const postmaster = new Postmaster(`${this.name}-postgres`, pid, this.opts.ledger);
    if (!postmaster.alive || !postmaster.isPostgres) return;
    this.#postmaster = postmaster;
    track(postmaster);
  }

  #forgetPostmaster(): void {
    if (this.#postmaster) untrack(this.#postmaster);
    this.#postmaster = undefined;
  }
}

function readPostmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number.parseInt(
      readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '',
      10,
    );
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export interface PatroniClusterOptions {
  /** Stack directory: members in `<dir>/patroni/<name>`, logs in `<dir>/logs/<name>.log`. */
  dir: string;
  /** Patroni's scope: the cluster's name in etcd. */
  scope: string;
  members: MemberAddresses[];
  settings: PatroniSettings;
  /** Superuser `faultline`'s password (the roles and the harness log in as it, as on a single node). */
  password: string;
  replicationPassword: string;
  ledger?: string;
}

/** The members of one Patroni cluster. */
export interface PatroniCluster {
  readonly scope: string;
  readonly settings: PatroniSettings;
  readonly members: readonly PatroniMember[];
  /** The member whose agent answers GET /primary with 200 right now, if any. */
  leader(): Promise<PatroniMember | undefined>;
  /** Resolves once a leader runs and, in synchronous mode, one standby is synchronous. */
  waitHealthy(timeoutMs: number): Promise<PatroniMember>;
  /**
   * Turns synchronous_mode on or off through the leader's REST API (PATCH /config: Patroni's dynamic
   * configuration, which every agent applies within a loop).
   */
  setSynchronousMode(on: boolean): Promise<void>;
  /** Stops the standbys, then the leader (so no standby takes over while it stops). */
  stop(): Promise<void>;
}

/** Every member's PostgreSQL is replaced by Patroni's; a cluster needs the agent and the server binaries. */
function findPatroni(): { patroni: string; bindir: string } {
  const patroni = onPath('patroni');
  if (!patroni) throw new MissingBinaryError('patroni', patroniInstall);
  const { bindir } = findPostgresBinaries();
  if (!existsSync(join(bindir, 'pg_rewind'))) {
    throw new MissingBinaryError('pg_rewind', `not in ${bindir}; Patroni's use_pg_rewind needs it`);
  }
  return { patroni, bindir };
}

/**
 * Patroni's configuration of one member (JSON, which is YAML). Dynamic settings (`bootstrap.dcs`) go
 * to etcd when the first member initialises the cluster; the rest is this member's own.
 */
function memberConfig(
  opts: PatroniClusterOptions,
  m: MemberAddresses,
  memberDir: string,
  bindir: string,
): unknown {
  const s = opts.settings;
  return {
    scope: opts.scope,
    name: m.name,
    log: { level: 'INFO' },
    restapi: { listen: `${HOST}:${m.restPort}`, connect_address: m.restConnectAddress },
    // use_proxies: dial this address only, never the member list etcd advertises (which would bypass
    // the proxy a scenario cuts).
    etcd3: { hosts: [m.etcdAddress], use_proxies: true },
    bootstrap: {
      dcs: {
        ttl: s.ttl,
        loop_wait: s.loopWait,
        retry_timeout: s.retryTimeout,
        // A standby more than 1 MiB behind is never promoted (Patroni's default).
        maximum_lag_on_failover: 1_048_576,
        synchronous_mode: s.synchronousMode,
        postgresql: {
          use_pg_rewind: true,
          use_slots: true,
          parameters: {
            wal_level: 'replica',
            hot_standby: 'on',
            // pg_rewind needs hint bits in the WAL (or data checksums).
            wal_log_hints: 'on',
            max_wal_senders: 10,
            max_replication_slots: 10,
            // A rejoining member finds the WAL it missed without a new base backup.
            wal_keep_size: '128MB',
            // As the single node: the api, relay, workers and recon pools plus the harness's clients.
            max_connections: 300,
            shared_buffers: '128MB',
            fsync: 'on',
            synchronous_commit: s.synchronousCommit,
          },
        },
      },
      initdb: [{ encoding: 'UTF8' }, { locale: 'C' }, { auth: 'scram-sha-256' }],
      pg_hba: [
        'host replication replicator 127.0.0.1/32 scram-sha-256',
        'host all all 127.0.0.1/32 scram-sha-256',
      ],
    },
    postgresql: {
      listen: `${HOST}:${m.pgPort}`,
      connect_address: m.pgConnectAddress,
      data_dir: join(memberDir, 'data'),
      bin_dir: bindir,
      pgpass: join(memberDir, 'pgpass'),
      authentication: {
        superuser: { username: 'faultline', password: opts.password },
        replication: { username: 'replicator', password: opts.replicationPassword },
        rewind: { username: 'faultline', password: opts.password },
      },
      // TCP only, as the single node: no socket directory to own.
      parameters: { unix_socket_directories: '' },
      // A former primary that pg_rewind cannot bring onto the new timeline (its WAL back to the point
      // of divergence gone, a rewind cut short by a second crash) takes a fresh base backup instead of
      // staying stopped: it held nothing the new primary lacks that was ever acknowledged.
      remove_data_directory_on_rewind_failure: true,
      remove_data_directory_on_diverged_timelines: true,
    },
  };
}

/**
 * Starts a Patroni cluster: the first member bootstraps it (initdb) and takes the leader lock, then the
 * others join by base backup; resolves once one of them is the synchronous standby (in synchronous mode).
 */
export async function startPatroniCluster(opts: PatroniClusterOptions): Promise<PatroniCluster> {
  const { patroni, bindir } = findPatroni();
  const account = postgresAccount();
  const base = join(opts.dir, 'patroni');
  mkdirReachable(base);
  const members = opts.members.map((m) => {
    const memberDir = join(base, m.name);
    mkdirSync(memberDir, { recursive: true, mode: 0o700 });
    const configFile = join(base, `${m.name}.yml`);
    writeFileSync(configFile, `${JSON.stringify(memberConfig(opts, m, memberDir, bindir), null, 2)}\n`, {
      mode: 0o600,
    });
    if (account) {
      chownSync(memberDir, account.uid, account.gid);
      chownSync(configFile, account.uid, account.gid);
      assertTraversable(memberDir, account);
    }
    return new PatroniMember(
      m,
      { configFile, memberDir, logFile: join(opts.dir, 'logs', `${m.name}.log`), ledger: opts.ledger },
      account,
      patroni,
    );
  });
  const cluster = new Cluster(opts.scope, opts.settings, members);
  try {
    const [first, ...rest] = members;
    if (!first) throw new Error('a Patroni cluster needs at least one member');
    await first.start({ asLeader: true });
    await Promise.all(rest.map((m) => m.start()));
    await cluster.waitHealthy(60_000);
  } catch (err) {
    await cluster.stop().catch(() => undefined);
    throw err;
  }
  return cluster;
}

class Cluster implements PatroniCluster {
  #settings: PatroniSettings;

  constructor(
    readonly scope: string,
    settings: PatroniSettings,
    readonly members: readonly PatroniMember[],
  ) {
    this.#settings = { ...settings };
  }

  get settings(): PatroniSettings {
    return this.#settings;
  }

  async setSynchronousMode(on: boolean): Promise<void> {
    const leader = await this.leader();
    if (!leader) throw new Error(`the Patroni cluster ${this.scope} has no leader to configure`);
    const res = await fetch(`${leader.restUrl}/config`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ synchronous_mode: on }),
      signal: AbortSignal.timeout(5_000),
    });
    if (!res.ok) throw new Error(`PATCH /config on ${leader.name}: HTTP ${res.status} ${await res.text()}`);
    this.#settings = { ...this.#settings, synchronousMode: on };
  }

  async leader(): Promise<PatroniMember | undefined> {
    const answers = await Promise.all(
      this.members.map(async (m) => ((await answersOk(`${m.restUrl}/primary`)) ? m : undefined)),
    );
    return answers.find((m) => m !== undefined);
  }

  async waitHealthy(timeoutMs: number): Promise<PatroniMember> {
    const deadline = Date.now() + timeoutMs;
    let seen = 'no leader';
    while (Date.now() < deadline) {
      const problem = await this.#unhealthy();
      if (typeof problem !== 'string') return problem;
      seen = problem;
      await sleep(250);
    }
    throw new Error(
      `the Patroni cluster ${this.scope} was not healthy after ${timeoutMs / 1000} s (${seen})`,
    );
  }

  /**
   * The leader when every other member streams from it on its timeline (and one synchronously, in
   * synchronous mode); else what is missing. The timeline matters: a member that rejoins first starts
   * on its old one and streams for a moment before Patroni sees the divergence and runs pg_rewind.
   */
  async #unhealthy(): Promise<PatroniMember | string> {
    const leader = await this.leader();
    const status = await leader?.status();
    if (!leader || !status) return 'no leader';
    const streaming = new Map(
      status.replication.filter((r) => r.state === 'streaming').map((r) => [r.name, r]),
    );
    for (const m of this.members) {
      if (m === leader) continue;
      const own = await m.status();
      if (!streaming.has(m.name)) return `leader ${leader.name}; ${m.name} not streaming`;
      if (own?.state !== 'running' || own.timeline !== status.timeline) {
        return `leader ${leader.name} on timeline ${status.timeline}; ${m.name} ${own?.state ?? 'silent'} on ${own?.timeline}`;
      }
    }
    if (this.settings.synchronousMode && ![...streaming.values()].some((r) => r.sync)) {
      return `leader ${leader.name}; no synchronous standby yet`;
    }
    return leader;
  }

  async stop(): Promise<void> {
    const leader = await this.leader();
    const errors: unknown[] = [];
    const stopAll = async (ms: readonly PatroniMember[]) => {
      for (const r of await Promise.allSettled(ms.map((m) => m.stop()))) {
        if (r.status === 'rejected') errors.push(r.reason);
      }
    };
    await stopAll(this.members.filter((m) => m !== leader));
    if (leader) await stopAll([leader]);
    if (errors.length > 0)
      throw new AggregateError(errors, `stopping the Patroni cluster ${this.scope} failed`);
  }
}
