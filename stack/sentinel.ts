import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { MissingBinaryError, onPath } from './binaries.ts';
import { freePort } from './ports.ts';
import { ManagedProcess, type ProcessHandle } from './process.ts';
import { type RedisHandle, type RedisRole, redisPing, startRedis } from './redis.ts';

/**
 * Redis Sentinel (https://redis.io/docs/management/sentinel/): each Redis of the stack gets a replica,
 * and three Sentinels watch both masters. When a quorum of two agrees a master is down, they promote
 * its replica; clients ask a Sentinel where the master is (ioredis's `sentinels` option), so no client
 * holds a server's address. Replication stays asynchronous: what the old master had not yet sent is lost.
 */

const HOST = '127.0.0.1';
const SENTINELS = 3;
/** Two of three Sentinels must agree that a master is down before one of them fails it over. */
const QUORUM = 2;
/**
 * A master silent for 2 s is down (Redis's default is 30 s). Redis answers PING in well under a
 * millisecond; 2 s stays clear of the stalls a busy 2-core machine gives a process, where 1 s did not
 * always, and still fails over within a few seconds in a test.
 */
const DOWN_AFTER_MS = 2_000;
/** Bounds one failover attempt and the wait before another (Redis's default is 3 minutes). */
const FAILOVER_TIMEOUT_MS = 6_000;

export const sentinelInstall =
  'install it with `apt-get install redis-sentinel` (Debian/Ubuntu), or run `node scripts/bootstrap.mjs`';

/** The Sentinel master name of a stack Redis. */
export const sentinelMasterName = (role: RedisRole) => `faultline-${role}`;

export interface SentinelAddress {
  host: string;
  port: number;
}

/** One Redis watched by the Sentinels: the server started as master and its replica. */
export interface RedisGroup {
  readonly role: RedisRole;
  readonly masterName: string;
  readonly servers: readonly RedisHandle[];
  /** The server the Sentinels name as master right now (undefined when none answers). */
  master(): Promise<RedisHandle | undefined>;
}

export interface Sentinels {
  readonly processes: readonly ProcessHandle[];
  readonly addresses: readonly SentinelAddress[];
  readonly groups: Readonly<Record<RedisRole, RedisGroup>>;
  /** Stops the Sentinels, then the replicas (the masters belong to the caller). */
  stop(): Promise<void>;
}

class SentinelProcess extends ManagedProcess {
  override get port(): number {
    return this.spec.port as number;
  }
}

/** Sends one SENTINEL subcommand to the Sentinel at `address`; throws when it does not answer in time. */
export async function askSentinel(address: SentinelAddress, ...args: string[]): Promise<unknown> {
  const client = new Redis({
    host: address.host,
    port: address.port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 1_000,
    commandTimeout: 1_000,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return await client.call('SENTINEL', ...args);
  } finally {
    client.disconnect();
  }
}

/** The master's port as the first Sentinel that answers says; undefined when none does. */
async function masterPort(addresses: readonly SentinelAddress[], name: string): Promise<number | undefined> {
  for (const address of addresses) {
    try {
      const reply = (await askSentinel(address, 'get-master-addr-by-name', name)) as [string, string] | null;
      if (reply) return Number(reply[1]);
    } catch {
      // Try the next one.
    }
  }
  return undefined;
}

function sentinelConfig(port: number, dir: string, masters: Record<RedisRole, RedisHandle>): string {
  const lines = [
    '# Written by stack/sentinel.ts; Sentinel rewrites it as it learns the topology.',
    `port ${port}`,
    `bind ${HOST}`,
    'protected-mode no',
    'daemonize no',
    `dir ${dir}`,
  ];
  for (const [role, master] of Object.entries(masters) as [RedisRole, RedisHandle][]) {
    const name = sentinelMasterName(role);
    lines.push(
      `sentinel monitor ${name} ${HOST} ${master.port} ${QUORUM}`,
      `sentinel down-after-milliseconds ${name} ${DOWN_AFTER_MS}`,
      `sentinel failover-timeout ${name} ${FAILOVER_TIMEOUT_MS}`,
      `sentinel parallel-syncs ${name} 1`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** True once the server at `port` is a replica whose link to its master is up. */
async function replicaInSync(port: number): Promise<boolean> {
  const client = new Redis({
    host: HOST,
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return /master_link_status:up/.test(await client.info('replication'));
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * Gives each master a replica and starts three Sentinels watching both; resolves once every replica is
 * in sync and the Sentinels can reach a quorum and authorise a failover (SENTINEL CKQUORUM).
 */
export async function startSentinels(opts: {
  dir: string;
  masters: Record<RedisRole, RedisHandle>;
  ledger?: string;
}): Promise<Sentinels> {
  const command = onPath('redis-sentinel');
  if (!command) throw new MissingBinaryError('redis-sentinel', sentinelInstall);
  const started: ProcessHandle[] = [];
  const stopAll = async () => {
    await Promise.allSettled(started.map((p) => p.stop()));
  };
  try {
    const roles = Object.keys(opts.masters) as RedisRole[];
    const replicas = {} as Record<RedisRole, RedisHandle>;
    await Promise.all(
      roles.map(async (role) => {
        const replica = await startRedis({
          role,
          name: `redis-${role}-replica`,
          dir: opts.dir,
          replicaOf: opts.masters[role].port,
          ledger: opts.ledger,
        });
        started.push(replica);
        replicas[role] = replica;
      }),
    );
    const processes: SentinelProcess[] = [];
    for (let i = 1; i <= SENTINELS; i++) {
      const port = await freePort(HOST);
      const dir = join(opts.dir, `sentinel-${i}`);
      mkdirSync(dir, { recursive: true });
      const configFile = join(dir, 'sentinel.conf');
      writeFileSync(configFile, sentinelConfig(port, dir, opts.masters));
      processes.push(
        new SentinelProcess({
          name: `sentinel-${i}`,
          command,
          args: [configFile],
          logFile: join(opts.dir, 'logs', `sentinel-${i}.log`),
          cwd: dir,
          port,
          ready: () => redisPing(port),
          readyTimeoutMs: 20_000,
          ...(opts.ledger ? { ledger: opts.ledger } : {}),
        }),
      );
    }
    await Promise.all(
      processes.map(async (p) => {
        await p.start();
        started.push(p);
      }),
    );
    const addresses = processes.map((p) => ({ host: HOST, port: p.port }));
    await waitReady(addresses, roles, replicas);
    const groups = {} as Record<RedisRole, RedisGroup>;
    for (const role of roles) {
      const servers = [opts.masters[role], replicas[role]];
      groups[role] = {
        role,
        masterName: sentinelMasterName(role),
        servers,
        async master() {
          const port = await masterPort(addresses, sentinelMasterName(role));
          return servers.find((s) => s.port === port);
        },
      };
    }
    return {
      processes,
      addresses,
      groups,
      async stop() {
        await Promise.allSettled(processes.map((p) => p.stop()));
        await Promise.allSettled(roles.map((r) => replicas[r].stop()));
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function waitReady(
  addresses: readonly SentinelAddress[],
  roles: readonly RedisRole[],
  replicas: Record<RedisRole, RedisHandle>,
): Promise<void> {
  const deadline = Date.now() + 30_000;
  let missing = '';
  while (Date.now() < deadline) {
    const problems: string[] = [];
    for (const role of roles) {
      if (!(await replicaInSync(replicas[role].port))) problems.push(`${replicas[role].name} not in sync`);
      // Sentinels find each other through the master's hello channel, every 2 s.
      const quorum = await askSentinel(
        addresses[0] as SentinelAddress,
        'ckquorum',
        sentinelMasterName(role),
      ).catch((err: Error) => err.message);
      if (typeof quorum !== 'string' || !quorum.startsWith('OK')) problems.push(`${role}: ${String(quorum)}`);
    }
    if (problems.length === 0) return;
    missing = problems.join('; ');
    await sleep(250);
  }
  throw new Error(`the Sentinels were not ready after 30 s: ${missing}`);
}
