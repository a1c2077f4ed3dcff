import pg from 'pg';
import { Gauge } from 'prom-client';
import './pg-types.ts';
import type { Logger } from '../log.ts';
import { registry } from '../metrics.ts';

/** A Postgres pool whose idle-client errors are logged instead of crashing the process. */
export function createPool(opts: { url: string; max: number; log: Logger; name: string }): pg.Pool {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.max,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: `faultline-${opts.name}`,
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
