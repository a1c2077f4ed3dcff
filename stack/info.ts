import { readFileSync } from 'node:fs';
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

export interface StackInfo {
  dir: string;
  logDir: string;
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
    ...overrides,
  };
}

/** Options for an ioredis client of the harness to one of `info`'s Redis servers (TLS when the stack has it). */
export function redisClientOptions(info: Pick<StackInfo, 'tls'>): { tls?: { ca: Buffer } } {
  return info.tls ? { tls: { ca: readFileSync(info.tls.caFile) } } : {};
}
