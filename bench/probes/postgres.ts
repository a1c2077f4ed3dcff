import type pg from 'pg';

/** What PostgreSQL itself says about a window: WAL written and flushed, and what its backends waited on. */

export interface WalSnapshot {
  records: number;
  bytes: number;
  /** WAL flushes to disk (pg_stat_wal.wal_sync): the fsyncs a commit waits for, grouped or not. */
  syncs: number;
  writes: number;
}

export async function walSnapshot(db: pg.Pool): Promise<WalSnapshot> {
  const { rows } = await db.query<{ records: string; bytes: string; syncs: string; writes: string }>(
    'SELECT wal_records AS records, wal_bytes AS bytes, wal_sync AS syncs, wal_write AS writes FROM pg_stat_wal',
  );
  const r = rows[0];
  return {
    records: Number(r?.records ?? 0),
    bytes: Number(r?.bytes ?? 0),
    syncs: Number(r?.syncs ?? 0),
    writes: Number(r?.writes ?? 0),
  };
}

export function walDelta(a: WalSnapshot, b: WalSnapshot): WalSnapshot {
  return {
    records: b.records - a.records,
    bytes: b.bytes - a.bytes,
    syncs: b.syncs - a.syncs,
    writes: b.writes - a.writes,
  };
}

/** Shares of sampled active backends by what they were doing: `CPU` (no wait event) or `Type:Event`. */
export interface WaitSample {
  samples: number;
  /** Active client backends seen over all samples. */
  activeBackends: number;
  /** Share of activeBackends per state, largest first, top 8. */
  shares: Record<string, number>;
  /** Most active backends seen at once, per application (faultline-api, faultline-worker, pgbench, …). */
  maxActiveByApp: Record<string, number>;
  /** Share of active api backend samples running the auth lookup (users by key hash). */
  authShareOfApi: number;
}

/**
 * Samples pg_stat_activity every `everyMs` until stop(): one query per sample, its own backend excluded.
 * Sampling, not tracing: shares are what a profiler would show, good to a few percent.
 */
export class WaitSampler {
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  #samples = 0;
  #active = 0;
  #api = 0;
  #apiAuth = 0;
  readonly #counts = new Map<string, number>();
  readonly #maxByApp = new Map<string, number>();

  constructor(
    private readonly db: pg.Pool,
    private readonly everyMs = 100,
  ) {}

  start(): void {
    this.#timer = setInterval(() => void this.#sample(), this.everyMs);
  }

  async #sample(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const { rows } = await this.db.query<{ app: string; wait: string | null; auth: boolean }>(
        `SELECT application_name AS app,
                CASE WHEN wait_event IS NULL THEN NULL ELSE wait_event_type || ':' || wait_event END AS wait,
                query LIKE '%FROM users WHERE api_key_hash%' AS auth
           FROM pg_stat_activity
          WHERE backend_type = 'client backend' AND state = 'active' AND pid <> pg_backend_pid()`,
      );
      this.#samples++;
      const byApp = new Map<string, number>();
      for (const r of rows) {
        // A client backend waiting for its client's next command is idle, not active: what is left is work.
        const key = r.wait ?? 'CPU';
        this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
        this.#active++;
        const app = r.app || 'other';
        byApp.set(app, (byApp.get(app) ?? 0) + 1);
        if (app === 'faultline-api') {
          this.#api++;
          if (r.auth) this.#apiAuth++;
        }
      }
      for (const [app, n] of byApp) this.#maxByApp.set(app, Math.max(this.#maxByApp.get(app) ?? 0, n));
    } catch {
      // A sample lost to a busy or restarting server is only a sample.
    } finally {
      this.#busy = false;
    }
  }

  stop(): WaitSample {
    clearInterval(this.#timer);
    const shares: Record<string, number> = {};
    const sorted = [...this.#counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);
    for (const [k, n] of sorted) shares[k] = Math.round((n / Math.max(this.#active, 1)) * 1000) / 1000;
    return {
      samples: this.#samples,
      activeBackends: this.#active,
      shares,
      maxActiveByApp: Object.fromEntries(this.#maxByApp),
      authShareOfApi: this.#api === 0 ? 0 : Math.round((this.#apiAuth / this.#api) * 1000) / 1000,
    };
  }
}
