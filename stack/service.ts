import { mkdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join, resolve } from 'node:path';
import { repoRoot } from '../lib/repo-root.ts';
import type { Role as ServiceRole } from '../service/roles.ts';
import { freePort } from './ports.ts';
import { ManagedProcess, type ProcessHandle } from './process.ts';

/** A process the stack starts: a role of the service, or faultline's mock bank beside it. */
export type Role = ServiceRole | 'bank';

/** Every role, in the order a stack starts them. */
export const allRoles: readonly Role[] = ['bank', 'api', 'relay', 'worker', 'recon'];

export { repoRoot } from '../lib/repo-root.ts';

export interface ServiceOptions {
  role: Role;
  /** Process name, unique within a stack (default: the role). */
  name?: string;
  /** Stack directory: log in `<dir>/logs/<name>.log`, the bank's ledger in `<dir>/bank`. */
  dir: string;
  /** Connection settings (DATABASE_URL, REDIS_QUEUE_URL, …) and overrides; see serviceEnvFrom(). */
  env: Record<string, string>;
  port?: number;
  readyTimeoutMs?: number;
  /** How long stop() lets the role drain before SIGKILL (default 15 s). */
  stopTimeoutMs?: number;
  /** Pid ledger file to be listed in (default `<dir>/pids-<our pid>.json`). */
  ledger?: string;
  /** Node flags before the entry point, e.g. `--cpu-prof` (which NODE_OPTIONS may not carry). */
  nodeArgs?: readonly string[];
  /** The bank only: serve HTTPS with this certificate and key, trusted through `caFile` (stack/tls.ts). */
  tls?: { caFile: string; certFile: string; keyFile: string };
}

/** A running service role. */
export interface ServiceHandle extends ProcessHandle {
  readonly role: Role;
  readonly host: string;
  readonly port: number;
  /** `http://127.0.0.1:<port>` (the bank of a `--tls` stack: https): the API, the bank, or a background role's ops listener. */
  readonly url: string;
  /**
   * Base URL of the role's ops listener (`/metrics`, `/readyz` with detail, `POST /recon/run`): its own
   * port for the API and the bank, whose `url` is public; the only port of a background role.
   */
  readonly opsUrl: string;
}

/** Roles with a public port besides their ops listener. */
const PUBLIC_ROLES: ReadonlySet<Role> = new Set(['api', 'bank']);

const HOST = '127.0.0.1';

class ServiceProcess extends ManagedProcess implements ServiceHandle {
  readonly host = HOST;

  constructor(
    spec: ConstructorParameters<typeof ManagedProcess>[0],
    readonly role: Role,
    readonly opsPort: number,
    readonly scheme: 'http' | 'https',
  ) {
    super(spec);
  }

  override get port(): number {
    return this.spec.port as number;
  }

  get url(): string {
    return `${this.scheme}://${HOST}:${this.port}`;
  }

  get opsUrl(): string {
    return `http://${HOST}:${this.opsPort}`;
  }
}

/** True when GET <url>/healthz answers 200 within `timeoutMs`; an https `url` is trusted through `ca`. */
export function healthy(url: string, timeoutMs = 1_000, ca?: Buffer): Promise<boolean> {
  return new Promise((done) => {
    const request = url.startsWith('https:') ? httpsRequest : httpRequest;
    // agent: false, so no keep-alive socket is left open to the service.
    const options = { method: 'GET', agent: false, timeout: timeoutMs, ...(ca ? { ca } : {}) };
    const req = request(`${url}/healthz`, options, (res) => {
      res.resume();
      done(res.statusCode === 200);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => done(false));
    req.end();
  });
}

/** Our environment minus what must not leak into a service (vitest's variables, NODE_OPTIONS). */
function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith('VITEST') || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  return env;
}

/** What a role's process runs: the service's entry point, or the mock bank's. */
function entryPoint(role: Role): string[] {
  return role === 'bank' ? ['fakes/bank/main.ts'] : ['service/main.ts', role];
}

/**
 * Starts `tsx service/main.ts <role>` (the bank: `tsx fakes/bank/main.ts`) on a free port and waits
 * until GET /healthz answers 200.
 * Usable from a test file: pass the stack's connection settings as `env`.
 */
export async function startService(opts: ServiceOptions): Promise<ServiceHandle> {
  const dir = resolve(opts.dir);
  const name = opts.name ?? opts.role;
  const port = opts.port ?? (await freePort(HOST));
  const opsPort = PUBLIC_ROLES.has(opts.role) ? await freePort(HOST) : port;
  const bankDir = join(dir, 'bank');
  if (opts.role === 'bank') mkdirSync(bankDir, { recursive: true });
  const env = {
    ...inheritedEnv(),
    HOST,
    PORT: String(port),
    OPS_HOST: HOST,
    OPS_PORT: String(opsPort),
    ...(opts.role === 'bank' ? { BANK_DATA_DIR: bankDir } : {}),
    LOG_LEVEL: 'info',
    ...(opts.tls ? { BANK_TLS_CERT_FILE: opts.tls.certFile, BANK_TLS_KEY_FILE: opts.tls.keyFile } : {}),
    ...opts.env,
  };
  const scheme = opts.tls ? 'https' : 'http';
  const url = `${scheme}://${HOST}:${port}`;
  const ca = opts.tls ? readFileSync(opts.tls.caFile) : undefined;
  const service = new ServiceProcess(
    {
      name,
      command: process.execPath,
      args: [...(opts.nodeArgs ?? []), '--import', 'tsx', ...entryPoint(opts.role)],
      logFile: join(dir, 'logs', `${name}.log`),
      env,
      cwd: repoRoot,
      port,
      ready: () => healthy(url, 1_000, ca),
      // The api applies migrations before it listens; tsx compiles on first start.
      readyTimeoutMs: opts.readyTimeoutMs ?? 30_000,
      stopTimeoutMs: opts.stopTimeoutMs ?? 15_000,
      ledger: opts.ledger ?? join(dir, `pids-${process.pid}.json`),
    },
    opts.role,
    opsPort,
    scheme,
  );
  await service.start();
  return service;
}
