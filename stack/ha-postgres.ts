import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type EtcdHandle, startEtcd } from './etcd.ts';
import { type HaproxyHandle, startHaproxy } from './haproxy.ts';
import {
  FAST_FAILOVER,
  type MemberAddresses,
  type PatroniCluster,
  type PatroniSettings,
  startPatroniCluster,
} from './patroni.ts';
import { freePort } from './ports.ts';
import { createDatabaseOn, type PostgresHandle } from './postgres.ts';
import type { ExitStatus } from './process.ts';
import { type Proxies, startProxies } from './proxies.ts';

/**
 * PostgreSQL as production runs it: a Patroni cluster of three members (one primary, a synchronous
 * standby, an asynchronous one) on etcd, behind HAProxy. Every link between members goes through a
 * proxy of its own, so a scenario can cut one member off from etcd and its peers while clients still
 * reach it, or slow replication:
 *   `<member>-dcs`  the agent's link to etcd;
 *   `<member>-pg`   the other members' link to its PostgreSQL (replication, pg_rewind, base backups);
 *   `<member>-rest` the other agents' link to its REST API.
 * HAProxy and the harness dial each member's PostgreSQL and REST API directly.
 */

const HOST = '127.0.0.1';
const USER = 'faultline';
const DATABASE = 'faultline';
/** Patroni's scope: the cluster's key prefix in etcd. */
const SCOPE = 'faultline';
const MEMBERS = ['pg-1', 'pg-2', 'pg-3'];

/** The links of one member, as named in `HaPostgres.links`. */
export type MemberLink = `${string}-${'dcs' | 'pg' | 'rest'}`;

export interface HaPostgresOptions {
  dir: string;
  ledger?: string;
  /** Patroni's settings (default FAST_FAILOVER); a sabotage turns synchronous_mode or commit off. */
  settings?: Partial<PatroniSettings>;
  /**
   * Latency added to everything a member's PostgreSQL sends its peers (WAL to the standbys), once the
   * cluster is up: with synchronous_mode off the standbys then lag the primary by this much.
   */
  replicationLatencyMs?: number;
}

export interface HaPostgres {
  readonly etcd: EtcdHandle;
  readonly cluster: PatroniCluster;
  readonly haproxy: HaproxyHandle;
  /** The toxiproxy server holding every member link. */
  readonly links: Proxies<MemberLink>;
  /** What the roles connect to: HAProxy's port, forwarding to the primary. */
  readonly endpoint: PostgresHandle;
  /** HAProxy, the Patroni members (standbys first), the member links, then etcd. */
  stop(): Promise<void>;
}

/**
 * The cluster's entry point as a PostgresHandle: URLs name HAProxy's port, and the process is HAProxy
 * (the one process every connection crosses). Members are killed through `cluster.members`.
 */
class ClusterEndpoint implements PostgresHandle {
  readonly host = HOST;
  readonly user = USER;
  readonly database = DATABASE;

  constructor(
    private readonly haproxy: HaproxyHandle,
    readonly password: string,
    readonly dataDir: string,
  ) {}

  get name(): string {
    return this.haproxy.name;
  }
  get pid(): number {
    return this.haproxy.pid;
  }
  get logFile(): string {
    return this.haproxy.logFile;
  }
  get port(): number {
    return this.haproxy.port;
  }
  get running(): boolean {
    return this.haproxy.running;
  }
  get exited(): Promise<ExitStatus> {
    return this.haproxy.exited;
  }
  get url(): string {
    return this.urlFor(DATABASE);
  }
  urlFor(database: string): string {
    return `postgres://${USER}:${encodeURIComponent(this.password)}@${HOST}:${this.port}/${database}`;
  }
  createDatabase(name: string): Promise<string> {
    return createDatabaseOn(this, name);
  }
  kill(signal?: NodeJS.Signals): void {
    this.haproxy.kill(signal);
  }
  stop(opts?: { timeoutMs?: number }): Promise<void> {
    return this.haproxy.stop(opts);
  }
  restart(): Promise<void> {
    return this.haproxy.restart();
  }
}

/** Starts etcd, the member links, the Patroni cluster and HAProxy; creates database `faultline`. */
export async function startHaPostgres(opts: HaPostgresOptions): Promise<HaPostgres> {
  const settings = { ...FAST_FAILOVER, ...opts.settings };
  const password = randomBytes(24).toString('base64url');
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const etcd = await startEtcd({ dir: opts.dir, ledger: opts.ledger });
    stops.push(() => etcd.stop());
    const ports = await Promise.all(
      MEMBERS.map(async (name) => ({ name, pgPort: await freePort(HOST), restPort: await freePort(HOST) })),
    );
    const targets = {} as Record<MemberLink, number>;
    for (const p of ports) {
      targets[`${p.name}-dcs`] = etcd.port;
      targets[`${p.name}-pg`] = p.pgPort;
      targets[`${p.name}-rest`] = p.restPort;
    }
    const links = await startProxies({ dir: opts.dir, targets, name: 'member-links', ledger: opts.ledger });
    stops.push(() => links.server.stop());
    const members: MemberAddresses[] = ports.map((p) => ({
      ...p,
      pgConnectAddress: links.address(`${p.name}-pg`),
      restConnectAddress: links.address(`${p.name}-rest`),
      etcdAddress: links.address(`${p.name}-dcs`),
    }));
    const cluster = await startPatroniCluster({
      dir: opts.dir,
      scope: SCOPE,
      members,
      settings,
      password,
      replicationPassword: randomBytes(24).toString('base64url'),
      ledger: opts.ledger,
    });
    stops.push(() => cluster.stop());
    const haproxy = await startHaproxy({
      dir: opts.dir,
      backends: ports,
      password,
      ledger: opts.ledger,
    });
    stops.push(() => haproxy.stop());
    const endpoint = new ClusterEndpoint(haproxy, password, join(opts.dir, 'patroni'));
    await endpoint.createDatabase(DATABASE);
    if (opts.replicationLatencyMs) await slowReplication(links, ports, opts.replicationLatencyMs);
    return {
      etcd,
      cluster,
      haproxy,
      links,
      endpoint,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** Latency on what each member's PostgreSQL sends through its `-pg` link: WAL on its way to a standby. */
async function slowReplication(
  links: Proxies<MemberLink>,
  members: readonly { name: string }[],
  ms: number,
): Promise<void> {
  for (const m of members) {
    const link = links.links[`${m.name}-pg`];
    if (!link) throw new Error(`no replication link for ${m.name}`);
    await link.addToxic({
      name: 'replication-latency',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: ms, jitter: 0 },
    });
  }
}
