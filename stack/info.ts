import { readFileSync } from 'node:fs';
import type { PatroniSettings } from './patroni.ts';
import type { RedisRole } from './redis.ts';
import type { Role } from './service.ts';

/** Plain-JSON description of a running stack: what tests get through inject('stack'), and stack.json. */

export interface ProcessInfo {
  name: string;
  pid: number;
  logFile: string;
}

export interface PostgresInfo extends ProcessInfo {
  url: string;
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

export interface RedisInfo extends ProcessInfo {
  /** The harness's URL (with TLS: the admin user's, `rediss://`). */
  url: string;
  /** The service roles' URL (with TLS: the `faultline` user's); the same as `url` without TLS. */
  serviceUrl: string;
  port: number;
}

export interface ServiceInfo extends ProcessInfo {
  role: Role;
  url: string;
  /** Where its `/metrics` (and recon's `POST /recon/run`) answer; see ServiceHandle.opsUrl. */
  opsUrl: string;
  port: number;
}

/** A Prometheus exporter of the stack's PostgreSQL or Redis (see exporters.ts). */
export interface ExporterInfo extends ProcessInfo {
  url: string;
}

/** `single`: one PostgreSQL, one server per Redis. `ha`: see HaInfo. */
export type Topology = 'single' | 'ha';
export const TOPOLOGIES: readonly Topology[] = ['single', 'ha'];

/** One Patroni member: its PostgreSQL and its agent's REST API, both dialled directly. */
export interface PatroniMemberInfo extends ProcessInfo {
  pgPort: number;
  restUrl: string;
  /** The PostgreSQL Patroni started (it runs detached from the agent). */
  postmasterPid?: number;
  /** Where its peers reach it: the proxies of its links (see stack/ha-postgres.ts). */
  links: { pg: string; rest: string; dcs: string };
}

/** One server of a Redis watched by Sentinel. */
export interface SentinelServerInfo extends ProcessInfo {
  port: number;
  url: string;
}

/**
 * The highly available parts of an `ha` stack: a Patroni cluster on etcd behind HAProxy (postgres.url
 * is HAProxy's), and each Redis with a replica under three Sentinels, which clients ask for the master.
 */
export interface HaInfo {
  postgres: {
    scope: string;
    settings: PatroniSettings;
    /** `statsPort`: HAProxy's own HTTP listener, /metrics (Prometheus) and /stats;csv. */
    haproxy: ProcessInfo & { port: number; statsPort: number };
    etcd: ProcessInfo & { url: string };
    /** The toxiproxy server holding every member link, and its proxies by name. */
    links: ProcessInfo & { url: string; proxies: Record<string, string> };
    members: PatroniMemberInfo[];
  };
  redis: {
    sentinels: Array<ProcessInfo & { host: string; port: number }>;
    queue: { masterName: string; servers: SentinelServerInfo[] };
    cache: { masterName: string; servers: SentinelServerInfo[] };
  };
}

export interface StackInfo {
  dir: string;
  logDir: string;
  topology: Topology;
  /** Present on an `ha` stack. */
  ha?: HaInfo;
  postgres: PostgresInfo;
  redisQueue: RedisInfo;
  redisCache: RedisInfo;
  bank?: ServiceInfo;
  api?: ServiceInfo;
  services: ServiceInfo[];
  /** The proxies in front of the dependencies, when the stack runs with them. */
  toxiproxy?: ProcessInfo & { url: string; implementation: string; proxies: Record<string, string> };
  /** The exporters started for StackOptions.scrape (each only when installed). */
  exporters?: { postgres?: ExporterInfo; redis?: ExporterInfo };
  /** Files holding the stack's secrets (mode 0600), handed to the roles as `*_FILE` variables. */
  secrets: { piiKeysFile: string; bankSigningKeyFile?: string };
  /** A `--tls` stack: every client trusts this CA (see stack/tls.ts). */
  tls?: { caFile: string };
}

/** BullMQ key prefix of a stack unless the caller picks one. */
export const DEFAULT_QUEUE_PREFIX = 'faultline';

/**
 * The connection environment of a service role started against `info`, with `overrides` on top:
 * pass it as startService({ env }). Give each test suite its own QUEUE_PREFIX so queues never mix.
 */
export function serviceEnvFrom(
  info: StackInfo,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    DATABASE_URL: info.postgres.url,
    REDIS_QUEUE_URL: info.redisQueue.serviceUrl,
    REDIS_CACHE_URL: info.redisCache.serviceUrl,
    ...(info.bank ? { BANK_URL: info.bank.url } : {}),
    QUEUE_PREFIX: DEFAULT_QUEUE_PREFIX,
    PII_KEYS_FILE: info.secrets.piiKeysFile,
    ...(info.secrets.bankSigningKeyFile ? { BANK_SIGNING_KEY_FILE: info.secrets.bankSigningKeyFile } : {}),
    ...(info.tls ? { TLS_CA_FILE: info.tls.caFile } : {}),
    ...(info.ha ? sentinelEnv(info.ha) : {}),
    ...overrides,
  };
}

/** The service's Sentinel settings (service/config.ts): where the Sentinels are, and each master's name. */
function sentinelEnv(ha: HaInfo): Record<string, string> {
  const sentinels = ha.redis.sentinels.map((s) => `${s.host}:${s.port}`).join(',');
  return {
    REDIS_QUEUE_SENTINELS: sentinels,
    REDIS_QUEUE_SENTINEL_MASTER: ha.redis.queue.masterName,
    REDIS_CACHE_SENTINELS: sentinels,
    REDIS_CACHE_SENTINEL_MASTER: ha.redis.cache.masterName,
  };
}

/**
 * Options for an ioredis client of the harness to `info`'s Redis of `role`: TLS when the stack has it;
 * on an `ha` stack, the Sentinels to ask for the current master (ioredis then ignores the URL's host).
 */
export function redisClientOptions(
  info: Pick<StackInfo, 'tls' | 'ha'>,
  role: RedisRole,
): { tls?: { ca: Buffer }; sentinels?: Array<{ host: string; port: number }>; name?: string } {
  if (info.ha) {
    const sentinels = info.ha.redis.sentinels.map(({ host, port }) => ({ host, port }));
    return { sentinels, name: info.ha.redis[role].masterName };
  }
  return info.tls ? { tls: { ca: readFileSync(info.tls.caFile) } } : {};
}
