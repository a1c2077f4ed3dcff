import pg from 'pg';
import { Gauge } from 'prom-client';
import './pg-types.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { registry } from '../metrics.ts';

/** How long anything may wait on PostgreSQL, from the configuration (DATABASE_*_MS; see config.ts). */
export interface DatabaseBounds {
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  queryTimeoutMs: number;
  keepAliveMs: number;
}

/** The bounds the configuration sets. */
export function databaseBounds(config: Config): DatabaseBounds {
  return {
    connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    queryTimeoutMs: config.DATABASE_QUERY_TIMEOUT_MS,
    keepAliveMs: config.DATABASE_KEEPALIVE_MS,
  };
}

/**
 * The settings every connection to PostgreSQL gets, pooled or not: the server ends a statement or an
 * idle transaction that overstays (and their locks), the client gives up on an answer that never comes
 * (a paused server) and on a connection that never opens, and TCP keep-alive finds a dead peer.
 */
export function connectionBounds(b: DatabaseBounds) {
  return {
    connectionTimeoutMillis: b.connectTimeoutMs,
    statement_timeout: b.statementTimeoutMs,
    idle_in_transaction_session_timeout: b.statementTimeoutMs,
    query_timeout: b.queryTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: b.keepAliveMs,
  };
}

/**
 * A pool of DATABASE_URL, bounded as the configuration says (DATABASE_*_MS), whose idle-client errors are
 * logged instead of crashing the process.
 */
export function createPool(config: Config, opts: { max: number; log: Logger; name: string }): pg.Pool {
  const pool = new pg.Pool({
    connectionString: config.DATABASE_URL,
    max: opts.max,
    idleTimeoutMillis: 30_000,
    application_name: `faultline-${opts.name}`,
    ...connectionBounds(databaseBounds(config)),
  });
  pool.on('error', (err) => opts.log.warn({ err }, 'postgres connection lost'));
  pools.set(opts.name, pool);
  return pool;
}

const pools = new Map<string, pg.Pool>();

new Gauge({
  name: 'db_pool_connections',
  help: 'Postgres pool connections by state (total, idle, waiting = queued requests).',
  labelNames: ['pool', 'state'] as const,
  registers: [registry],
  collect() {
    for (const [name, p] of pools) {
      this.set({ pool: name, state: 'total' }, p.totalCount);
      this.set({ pool: name, state: 'idle' }, p.idleCount);
      this.set({ pool: name, state: 'waiting' }, p.waitingCount);
    }
  },
});
