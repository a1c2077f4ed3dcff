import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import {
  type Histogram,
  histogramDelta,
  histogramIn,
  quantile,
  scrape,
  valueIn,
} from '../../harness/client/metrics-scrape.ts';

/**
 * Watches the stack during a load ramp, every `everyMs`: the api's pool queue and event-loop lag (its
 * /metrics, scraped once per tick: prom-client's lag histogram covers the time since the last scrape),
 * the api's row-lock waits, CPU of each process family and of the whole machine, both Redis servers'
 * clients and refused connections, and what the api's Postgres connections are doing (key lookups, or
 * waiting on NOTIFY's commit lock or the WAL).
 */

export interface MonitorSample {
  at: number;
  apiPoolWaiting: number;
  apiLagP99Ms: number;
  /** Cumulative, for deltas. */
  lockWait: Histogram;
  cpuMs: Record<string, number>;
  /** Ticks of the whole machine (all CPUs, every process: ours and anyone else's). */
  machine: { busy: number; total: number };
  redisClients: number;
  redisRejected: number;
  pgApiActive: number;
  pgApiAuth: number;
  /** Of those, waiting on NOTIFY's commit lock (Lock:object), and on the WAL (flush, write, insert). */
  pgApiNotify: number;
  pgApiWal: number;
}

/** What one stretch of the ramp looked like. */
export interface Signals {
  poolWaitingMean: number;
  lagP99MaxMs: number;
  /** Share of one core (100 = one core busy). */
  cpuPct: Record<string, number>;
  machineBusyPct: number;
  lockWaitP99Ms: number;
  redisClientsMax: number;
  redisRejected: number;
  /** Share of the api's active Postgres queries that were key lookups (auth). */
  authShare: number;
  /** Active api queries sampled: below a few dozen, the shares are noise. */
  apiActiveSamples: number;
  /** Shares of them waiting on NOTIFY's commit lock, and on the WAL. */
  notifyShare: number;
  walShare: number;
  apiActiveMax: number;
}

/** /proc/stat's first line: user nice system idle iowait irq softirq steal, summed over CPUs. */
function machineTicks(): { busy: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const t = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = t.reduce((a, b) => a + b, 0);
    return { busy: total - (t[3] ?? 0) - (t[4] ?? 0), total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

async function redisClients(redis: Redis): Promise<{ clients: number; rejected: number }> {
  const text = `${await redis.info('clients')}\n${await redis.info('stats')}`;
  const field = (f: string) => Number(new RegExp(`^${f}:(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { clients: field('connected_clients'), rejected: field('rejected_connections') };
}

export class RampMonitor {
  readonly samples: MonitorSample[] = [];
  #timer: NodeJS.Timeout | undefined;
  #busy = false;

  constructor(
    private readonly deps: {
      apiOpsUrl: string;
      db: pg.Pool;
      redis: Redis[];
      cpu: () => Record<string, number>;
    },
    private readonly everyMs = 200,
  ) {}

  start(): void {
    void this.#tick();
    this.#timer = setInterval(() => void this.#tick(), this.everyMs);
  }

  stop(): MonitorSample[] {
    clearInterval(this.#timer);
    return this.samples;
  }

  async #tick(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const [text, redis, pgRows] = await Promise.all([
        scrape(`${this.deps.apiOpsUrl}/metrics`),
        Promise.all(this.deps.redis.map(redisClients)),
        this.deps.db.query<{ active: number; auth: number; notify: number; wal: number }>(
          `SELECT count(*)::int AS active,
                  count(*) FILTER (WHERE query LIKE '%FROM users WHERE api_key_hash%')::int AS auth,
                  count(*) FILTER (WHERE wait_event_type = 'Lock' AND wait_event = 'object')::int AS notify,
                  count(*) FILTER (WHERE wait_event IN ('WALSync', 'WALWrite', 'WALInsert'))::int AS wal
             FROM pg_stat_activity
            WHERE application_name = 'faultline-api' AND state = 'active'`,
        ),
      ]);
      this.samples.push({
        at: performance.now(),
        apiPoolWaiting: valueIn([text], 'db_pool_connections', { pool: 'api', state: 'waiting' }),
        apiLagP99Ms: valueIn([text], 'nodejs_eventloop_lag_p99_seconds') * 1000,
        lockWait: histogramIn([text], 'account_lock_wait_seconds', { operation: 'payout' }),
        cpuMs: this.deps.cpu(),
        machine: machineTicks(),
        redisClients: redis.reduce((n, r) => n + r.clients, 0),
        redisRejected: redis.reduce((n, r) => n + r.rejected, 0),
        pgApiActive: pgRows.rows[0]?.active ?? 0,
        pgApiAuth: pgRows.rows[0]?.auth ?? 0,
        pgApiNotify: pgRows.rows[0]?.notify ?? 0,
        pgApiWal: pgRows.rows[0]?.wal ?? 0,
      });
    } catch {
      // A missed tick (the api too busy to answer its /metrics in time) is only a missed tick.
    } finally {
      this.#busy = false;
    }
  }
}

/** The signals of the samples taken between `from` and `to` (performance.now() times). */
export function signalsBetween(samples: readonly MonitorSample[], from: number, to: number): Signals | null {
  const inside = samples.filter((s) => s.at >= from && s.at <= to);
  const first = [...samples].reverse().find((s) => s.at <= from) ?? inside[0];
  const last = inside.at(-1);
  if (!first || !last || last === first) return null;
  const wall = last.at - first.at;
  const cpuPct: Record<string, number> = {};
  for (const [k, v] of Object.entries(last.cpuMs)) {
    cpuPct[k] = Math.round((((v ?? 0) - (first.cpuMs[k] ?? 0)) / wall) * 100);
  }
  const machineTotal = last.machine.total - first.machine.total;
  const active = inside.reduce((n, s) => n + s.pgApiActive, 0);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const share = (f: (s: MonitorSample) => number) =>
    active === 0 ? 0 : Math.round((inside.reduce((n, s) => n + f(s), 0) / active) * 100) / 100;
  return {
    poolWaitingMean: Math.round(mean(inside.map((s) => s.apiPoolWaiting)) * 10) / 10,
    lagP99MaxMs: Math.round(Math.max(0, ...inside.map((s) => s.apiLagP99Ms)) * 10) / 10,
    cpuPct,
    machineBusyPct:
      machineTotal > 0 ? Math.round(((last.machine.busy - first.machine.busy) / machineTotal) * 100) : 0,
    lockWaitP99Ms: Math.round(quantile(histogramDelta(first.lockWait, last.lockWait), 0.99) * 1e6) / 1000,
    redisClientsMax: Math.max(0, ...inside.map((s) => s.redisClients)),
    redisRejected: last.redisRejected - first.redisRejected,
    authShare: share((s) => s.pgApiAuth),
    apiActiveSamples: active,
    notifyShare: share((s) => s.pgApiNotify),
    walShare: share((s) => s.pgApiWal),
    apiActiveMax: Math.max(0, ...inside.map((s) => s.pgApiActive)),
  };
}
