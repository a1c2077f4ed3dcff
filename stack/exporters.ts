import { join } from 'node:path';
import { onPath } from './binaries.ts';
import { answersOk } from './http-probe.ts';
import { freePort } from './ports.ts';
import { ManagedProcess, type ProcessHandle } from './process.ts';
import { repoRoot } from './service.ts';

/**
 * The Prometheus exporters of a native stack's PostgreSQL and Redis servers, started when installed
 * (Debian: prometheus-postgres-exporter, prometheus-redis-exporter; Homebrew: postgres_exporter,
 * redis_exporter). Missing ones are skipped: the stack runs without them.
 */

const HOST = '127.0.0.1';

/** The custom queries (transfers by status) that prometheus/ also mounts into the compose exporter. */
export const postgresExporterQueries = join(
  repoRoot,
  'observability',
  'prometheus',
  'postgres-exporter-queries.yml',
);

export interface ExporterHandle extends ProcessHandle {
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
}

/** A process serving HTTP on 127.0.0.1:`spec.port` (an exporter, etcd's client port). */
export class HttpProcess extends ManagedProcess implements ExporterHandle {
  override get port(): number {
    return this.spec.port as number;
  }
  get url(): string {
    return `http://${HOST}:${this.port}`;
  }
}

export function findPostgresExporter(): string | undefined {
  return onPath('prometheus-postgres-exporter') ?? onPath('postgres_exporter');
}

export function findRedisExporter(): string | undefined {
  return onPath('prometheus-redis-exporter') ?? onPath('redis_exporter');
}

async function start(opts: {
  name: string;
  command: string;
  args: (port: number) => string[];
  env?: NodeJS.ProcessEnv;
  dir: string;
  ledger?: string;
}): Promise<ExporterHandle> {
  const port = await freePort(HOST);
  const url = `http://${HOST}:${port}`;
  const exporter = new HttpProcess({
    name: opts.name,
    command: opts.command,
    args: opts.args(port),
    logFile: join(opts.dir, 'logs', `${opts.name}.log`),
    env: opts.env ?? process.env,
    cwd: opts.dir,
    port,
    ready: () => answersOk(`${url}/metrics`),
    readyTimeoutMs: 15_000,
    stopTimeoutMs: 5_000,
    ...(opts.ledger ? { ledger: opts.ledger } : {}),
  });
  await exporter.start();
  return exporter;
}

/** postgres_exporter on a free port, reading `databaseUrl`; undefined when it is not installed. */
export async function startPostgresExporter(opts: {
  dir: string;
  databaseUrl: string;
  ledger?: string;
}): Promise<ExporterHandle | undefined> {
  const command = findPostgresExporter();
  if (!command) return undefined;
  const dsn = new URL(opts.databaseUrl);
  // A --tls stack's URL asks for verify-full already (lib/pq reads sslrootcert too); without TLS, say so.
  if (!dsn.searchParams.has('sslmode')) dsn.searchParams.set('sslmode', 'disable');
  return start({
    name: 'postgres-exporter',
    command,
    args: (port) => [
      `--web.listen-address=${HOST}:${port}`,
      `--extend.query-path=${postgresExporterQueries}`,
      '--log.level=warn',
    ],
    env: { ...process.env, DATA_SOURCE_NAME: dsn.toString() },
    dir: opts.dir,
    ledger: opts.ledger,
  });
}

/**
 * redis_exporter on a free port. Prometheus scrapes each Redis through its multi-target endpoint
 * (`/scrape?target=redis://…`), so one exporter serves both servers; undefined when not installed.
 */
export async function startRedisExporter(opts: {
  dir: string;
  ledger?: string;
}): Promise<ExporterHandle | undefined> {
  const command = findRedisExporter();
  if (!command) return undefined;
  return start({
    name: 'redis-exporter',
    command,
    args: (port) => [`-web.listen-address=${HOST}:${port}`, '-log-format=json'],
    dir: opts.dir,
    ledger: opts.ledger,
  });
}
