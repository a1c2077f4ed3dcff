import { join } from 'node:path';
import { Toxiproxy, type Proxy as ToxiproxyProxy } from 'toxiproxy-node-client';
import { onPath } from './binaries.ts';
import { freePort } from './ports.ts';
import { ManagedProcess, type ProcessHandle } from './process.ts';
import { repoRoot } from './service.ts';

const HOST = '127.0.0.1';

/** What the proxies stand in front of: upstream ports on 127.0.0.1. */
export interface ProxyTargets {
  postgres: number;
  redisQueue: number;
  redisCache: number;
  bank: number;
}

/**
 * A toxiproxy server with one proxy per dependency of the service. The service's roles connect to the
 * proxies, so the chaos layer can cut or slow each link (disable a proxy, add a toxic) and heal it.
 */
export interface Proxies<K extends string = keyof ProxyTargets> {
  server: ProcessHandle;
  /** toxiproxy's HTTP API address. */
  apiUrl: string;
  client: Toxiproxy;
  /** "ours" when no toxiproxy-server binary is on PATH and our compatible server runs instead. */
  implementation: 'toxiproxy-server' | 'ours';
  links: Record<K, ToxiproxyProxy>;
  /** host:port a client should dial to go through the named proxy. */
  address(name: K): string;
}

/**
 * Starts toxiproxy (the real `toxiproxy-server` when it is on PATH, else ours from harness/chaos/toxiproxy)
 * and creates a proxy per dependency, each listening on a free loopback port.
 */
export async function startProxies<K extends string = keyof ProxyTargets>(opts: {
  dir: string;
  targets: Record<K, number>;
  /** Process name and log file name (default `toxiproxy`). */
  name?: string;
  ledger?: string;
}): Promise<Proxies<K>> {
  const port = await freePort(HOST);
  const real = onPath('toxiproxy-server');
  const apiUrl = `http://${HOST}:${port}`;
  const server = new ManagedProcess({
    name: opts.name ?? 'toxiproxy',
    command: real ?? process.execPath,
    args: real
      ? ['-host', HOST, '-port', String(port)]
      : ['--import', 'tsx', 'harness/chaos/toxiproxy/main.ts', '--host', HOST, '--port', String(port)],
    logFile: join(opts.dir, 'logs', `${opts.name ?? 'toxiproxy'}.log`),
    cwd: repoRoot,
    port,
    ready: async () => {
      try {
        const res = await fetch(`${apiUrl}/version`, { signal: AbortSignal.timeout(1_000) });
        await res.body?.cancel();
        return res.ok;
      } catch {
        return false;
      }
    },
    readyTimeoutMs: 20_000,
    ...(opts.ledger ? { ledger: opts.ledger } : {}),
  });
  await server.start();
  const client = new Toxiproxy(apiUrl);
  const names = Object.keys(opts.targets) as K[];
  const links = {} as Record<K, ToxiproxyProxy>;
  for (const name of names) {
    // A fixed listen port (not :0) so a proxy disabled and enabled again comes back at the same address.
    const listen = `${HOST}:${await freePort(HOST)}`;
    links[name] = await client.createProxy({ name, listen, upstream: `${HOST}:${opts.targets[name]}` });
  }
  return {
    server,
    apiUrl,
    client,
    implementation: real ? 'toxiproxy-server' : 'ours',
    links,
    address: (name) => links[name].listen,
  };
}
