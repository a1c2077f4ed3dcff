import { spawn } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { LatencyHistogram, type LatencySummary } from '../harness/load/histogram.ts';
import { findPostgresBinaries, MissingBinaryError, onPath } from '../stack/binaries.ts';
import type { PostgresHandle } from '../stack/index.ts';
import { familyCpuMs } from './probes/cpu.ts';

/**
 * pgbench baselines on the stack's own PostgreSQL, in a database of their own (`pgbench`): the
 * hot-row script in five statements and as one CTE, tpcb-like `-N` at scale 10, and the hot-row script
 * spread over one row per client. Same server, same machine, same minute as the HTTP measurements.
 */

const scriptsDir = fileURLToPath(new URL('./pgbench/', import.meta.url));
export const PGBENCH_DATABASE = 'pgbench';

/** The pgbench workloads; `script` is a file in bench/pgbench/, `builtin` one of pgbench's own. */
export const PGBENCH_WORKLOADS = {
  hot_row: { script: 'hot-row.sql', what: 'hot row, 5 statements' },
  hot_row_cte: { script: 'hot-row-cte.sql', what: 'hot row, one CTE statement' },
  tpcb_n: { builtin: ['-N'], what: 'tpcb-like -N, scale 10 (1 with --quick)' },
  hot_row_spread: { script: 'hot-row-spread.sql', what: 'hot-row script, one row per client' },
  // The lock strategies (bench/sections/lock-strategies.ts), each run with -D spread=0 or 1.
  lock_for_update: { script: 'lock-for-update.sql', what: 'SELECT … FOR UPDATE, READ COMMITTED' },
  lock_conditional_update: { script: 'lock-conditional-update.sql', what: 'UPDATE … WHERE balance >= 1' },
  lock_serializable: { script: 'lock-serializable.sql', what: 'SERIALIZABLE, 40001 retried', maxTries: 100 },
  lock_optimistic: { script: 'lock-optimistic.sql', what: 'version column, a miss retried', maxTries: 100 },
  lock_none: { script: 'lock-none.sql', what: 'unlocked read-modify-write (the sabotage)' },
} as const;
export type PgbenchWorkload = keyof typeof PGBENCH_WORKLOADS;

export interface PgbenchResult {
  workload: PgbenchWorkload;
  tps: number;
  transactions: number;
  failed: number;
  /** Tries after a serialization failure (40001) or deadlock, with the workload's maxTries. */
  retries: number;
  latency: LatencySummary;
  /** CPU of the pgbench client process itself. */
  clientCpuMs: number;
  wallMs: number;
}

/** pgbench next to initdb (Debian keeps them in /usr/lib/postgresql/<major>/bin), else on PATH. */
export function findPgbench(): string {
  const { bindir } = findPostgresBinaries();
  const beside = bindir ? join(bindir, 'pgbench') : undefined;
  const executable = (path: string) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  const found = beside && executable(beside) ? beside : onPath('pgbench');
  if (found) return found;
  throw new MissingBinaryError(
    'pgbench',
    'it ships with PostgreSQL (Debian: the postgresql package puts it in /usr/lib/postgresql/<major>/bin)',
  );
}

interface RunOptions {
  clients: number;
  seconds: number;
  /** pgbench -D NAME=VALUE: variables of the script (the lock strategies' `spread`). */
  defines?: Record<string, number>;
}

export class Pgbench {
  private constructor(
    private readonly binary: string,
    private readonly pg: PostgresHandle,
    private readonly workDir: string,
    /** The pgbench database's URL, for reading its tables between runs. */
    readonly url: string,
  ) {}

  /** One query on the pgbench database, on a connection of its own. */
  async query<R extends pg.QueryResultRow>(text: string): Promise<R[]> {
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    try {
      return (await client.query<R>(text)).rows;
    } finally {
      await client.end();
    }
  }

  /**
   * Creates the pgbench database, initialises tpcb-like at `scale` (10: 1,000,000 pgbench_accounts rows,
   * 10 branches, the baseline) and the hot-row tables.
   */
  static async prepare(pgHandle: PostgresHandle, workDir: string, scale: number): Promise<Pgbench> {
    const url = await pgHandle.createDatabase(PGBENCH_DATABASE);
    const bench = new Pgbench(findPgbench(), pgHandle, workDir, url);
    // G: generate the rows server-side (one INSERT … SELECT), the fastest initialisation.
    await bench.#run(['-i', '-q', '-s', String(scale), '-I', 'dtGvp', PGBENCH_DATABASE]);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(readFileSync(join(scriptsDir, 'schema.sql'), 'utf8'));
      await client.query('VACUUM ANALYZE bench_accounts');
      // Initialisation leaves ~180 MB of dirty pages; flushed now, they cannot stall the first
      // measurements' commit fsyncs (on ext4 an fsync may wait for other files' dirty data).
      await client.query('CHECKPOINT');
    } finally {
      await client.end();
    }
    return bench;
  }

  /**
   * Runs one workload with `clients` connections for `seconds` (prepared statements, like a pooled
   * client). pgbench's -T includes connecting; on a machine so busy that nothing committed, it runs
   * again for twice as long, up to twice, rather than report a rate of zero.
   */
  async run(workload: PgbenchWorkload, opts: RunOptions): Promise<PgbenchResult> {
    let result = await this.#once(workload, opts);
    for (
      let seconds = opts.seconds * 2;
      result.transactions === 0 && seconds <= opts.seconds * 4;
      seconds *= 2
    ) {
      result = await this.#once(workload, { ...opts, seconds });
    }
    return result;
  }

  async #once(workload: PgbenchWorkload, opts: RunOptions): Promise<PgbenchResult> {
    const spec = PGBENCH_WORKLOADS[workload];
    const prefix = join(this.workDir, `pgbench-${workload}`);
    const args = [
      '-n',
      ...['-M', 'prepared'],
      ...['-c', String(opts.clients)],
      ...['-j', String(Math.min(opts.clients, 2))],
      // At least 2 s: connecting its clients (SCRAM authentication each) counts against -T.
      ...['-T', String(Math.max(2, Math.round(opts.seconds)))],
      ...('maxTries' in spec ? [`--max-tries=${spec.maxTries}`] : []),
      ...Object.entries(opts.defines ?? {}).flatMap(([k, v]) => ['-D', `${k}=${v}`]),
      '--log',
      `--log-prefix=${prefix}`,
      ...('script' in spec ? ['-f', join(scriptsDir, spec.script)] : spec.builtin),
      PGBENCH_DATABASE,
    ];
    const started = performance.now();
    const { stdout, cpuMs } = await this.#run(args);
    const wallMs = performance.now() - started;
    const latency = readLatencyLogs(prefix);
    const num = (re: RegExp) => Number(re.exec(stdout)?.[1] ?? Number.NaN);
    const transactions = num(/number of transactions actually processed: (\d+)/);
    // With no transaction committed pgbench prints no tps line.
    const tps = transactions === 0 ? 0 : num(/^tps = ([\d.]+)/m);
    if (!Number.isFinite(tps)) throw new Error(`pgbench ${workload}: no tps in its output:\n${stdout}`);
    return {
      workload,
      tps,
      transactions,
      failed: num(/number of failed transactions: (\d+)/) || 0,
      retries: num(/total number of retries: (\d+)/) || 0,
      latency,
      clientCpuMs: Math.round(cpuMs),
      wallMs,
    };
  }

  #run(args: string[]): Promise<{ stdout: string; cpuMs: number }> {
    const env = { ...process.env, PGPASSWORD: this.pg.password, PGAPPNAME: 'pgbench' };
    const conn = ['-h', this.pg.host, '-p', String(this.pg.port), '-U', this.pg.user];
    return new Promise((resolve, reject) => {
      const child = spawn(this.binary, [...conn, ...args], { env, cwd: this.workDir });
      let stdout = '';
      let stderr = '';
      let cpuMs = 0;
      // Its CPU is only readable while it lives: sample it until it exits.
      const poll = setInterval(() => {
        if (child.pid) cpuMs = Math.max(cpuMs, familyCpuMs(child.pid));
      }, 100);
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      child.once('error', (err) => {
        clearInterval(poll);
        reject(err);
      });
      child.once('exit', (code) => {
        clearInterval(poll);
        if (code === 0) resolve({ stdout, cpuMs });
        else reject(new Error(`pgbench ${args.join(' ')} exited with ${code}:\n${stderr.slice(-2000)}`));
      });
    });
  }
}

/** Per-transaction latencies (µs, the third field) from pgbench's --log files, which are then removed. */
function readLatencyLogs(prefix: string): LatencySummary {
  const dir = dirname(prefix);
  const h = new LatencyHistogram();
  for (const f of readdirSync(dir).filter((n) => n.startsWith(`${basename(prefix)}.`))) {
    const path = join(dir, f);
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      const us = Number(line.split(' ')[2]);
      if (line && Number.isFinite(us)) h.record(us / 1000);
    }
    rmSync(path, { force: true });
  }
  return h.summary();
}
