import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MissingBinaryError, onPath } from './binaries.ts';
import { type ExporterHandle, HttpProcess } from './exporters.ts';
import { answersOk } from './http-probe.ts';
import { freePort } from './ports.ts';

/**
 * etcd, the store Patroni keeps its leader lock and member list in (its DCS). One member: on a single
 * machine three etcd processes would add no availability (the machine is the single point either way)
 * and would cost three fsyncs per lock renewal on 2 cores. docs/failover.md says what a real
 * deployment changes.
 */

const HOST = '127.0.0.1';

/** etcd; `url` is its client URL, `http://127.0.0.1:<client port>`. */
export type EtcdHandle = ExporterHandle;

export const etcdInstall =
  'install it with `apt-get install etcd-server` (Debian/Ubuntu), or run `node scripts/bootstrap.mjs`';

/** Starts a one-member etcd cluster with its data in `<dir>/etcd`, and waits until it answers /health. */
export async function startEtcd(opts: { dir: string; ledger?: string }): Promise<EtcdHandle> {
  const command = onPath('etcd');
  if (!command) throw new MissingBinaryError('etcd', etcdInstall);
  const [port, peerPort] = [await freePort(HOST), await freePort(HOST)];
  const dataDir = join(opts.dir, 'etcd');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const peer = `http://${HOST}:${peerPort}`;
  const server = new HttpProcess({
    name: 'etcd',
    command,
    args: [
      ...['--name', 'etcd'],
      ...['--data-dir', dataDir],
      ...['--listen-client-urls', `http://${HOST}:${port}`],
      ...['--advertise-client-urls', `http://${HOST}:${port}`],
      ...['--listen-peer-urls', peer],
      ...['--initial-advertise-peer-urls', peer],
      ...['--initial-cluster', `etcd=${peer}`],
      ...['--initial-cluster-state', 'new'],
      ...['--log-level', 'warn'],
    ],
    logFile: join(opts.dir, 'logs', 'etcd.log'),
    cwd: opts.dir,
    port,
    ready: () => answersOk(`http://${HOST}:${port}/health`),
    readyTimeoutMs: 20_000,
    ...(opts.ledger ? { ledger: opts.ledger } : {}),
  });
  await server.start();
  return server;
}
