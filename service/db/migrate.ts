import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type pg from 'pg';

const dir = new URL('./migrations/', import.meta.url);
/** Any constant works; all roles share it so concurrent start-ups apply migrations one at a time. */
const MIGRATION_LOCK = 7_400_112_233;
/**
 * A migration may rewrite or index a big table: minutes, where every other statement gets seconds
 * (DATABASE_STATEMENT_TIMEOUT_MS). So may a role wait for another one's. This still ends a hung one.
 */
const MIGRATION_TIMEOUT_MS = 15 * 60_000;
/** The client gives the server's own cancel time to answer first (as DATABASE_QUERY_TIMEOUT_MS does). */
const slow = (text: string) => ({ text, query_timeout: MIGRATION_TIMEOUT_MS + 5_000 });

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

/** Numbered forward-only migrations: NNNN_name.sql, applied in order. */
export function loadMigrations(): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_.+\.sql$/.test(f))
    .sort()
    .map((f) => {
      const sql = readFileSync(new URL(f, dir), 'utf8');
      return {
        version: Number(f.slice(0, 4)),
        name: f,
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

/**
 * Applies the missing migrations under a session advisory lock, each in its own transaction, on a
 * connection of the pool that runs under the migrations' bound and is closed afterwards (so no other
 * query inherits it). Refuses to start when an applied migration was edited or removed: migrations only
 * move forward.
 */
export async function migrate(pool: pg.Pool): Promise<string[]> {
  const client = await pool.connect();
  try {
    await client.query(`SET statement_timeout = ${MIGRATION_TIMEOUT_MS}`);
    await client.query({ ...slow('SELECT pg_advisory_lock($1)'), values: [MIGRATION_LOCK] });
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version int PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number; name: string; checksum: string }>(
      'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
    );
    const known = loadMigrations();
    for (const applied of rows) {
      const file = known.find((m) => m.version === applied.version);
      if (!file) throw new Error(`migration ${applied.name} was applied but its file is gone`);
      if (file.checksum !== applied.checksum) {
        throw new Error(
          `migration ${applied.name} was edited after it was applied; add a new migration instead`,
        );
      }
    }
    const done = new Set(rows.map((r) => r.version));
    const appliedNow: string[] = [];
    for (const m of known.filter((k) => !done.has(k.version))) {
      await client.query('BEGIN');
      try {
        await client.query(slow(m.sql));
        await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          m.checksum,
        ]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${m.name} failed: ${(err as Error).message}`);
      }
      appliedNow.push(m.name);
    }
    return appliedNow;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    client.release(true);
  }
}
