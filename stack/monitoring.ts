import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MissingBinaryError, onPath } from './binaries.ts';
import { answersOk } from './http-probe.ts';
import { freePort } from './ports.ts';
import { ManagedProcess, type ProcessHandle } from './process.ts';
import { nativePrometheusConfig } from './prometheus-config.ts';

/**
 * Prometheus and the Pushgateway as native processes (Debian: `apt-get install prometheus
 * prometheus-pushgateway`), configured to scrape every native stack that writes a target file into
 * `targetsDir` (StackOptions.scrape) and the Pushgateway the runner pushes to.
 */

const HOST = '127.0.0.1';

export interface MonitoringBinaries {
  prometheus: string | undefined;
  pushgateway: string | undefined;
}

export function findMonitoringBinaries(): MonitoringBinaries {
  return {
    prometheus: onPath('prometheus'),
    pushgateway: onPath('prometheus-pushgateway') ?? onPath('pushgateway'),
  };
}

export interface MonitoringOptions {
  /** Data, config and logs go here (`<dir>/prometheus`, `<dir>/logs`). */
  dir: string;
  /** Where stacks write their file_sd target files (default `<dir>/targets`). */
  targetsDir?: string;
  scrapeIntervalSeconds?: number;
  /** Pid ledger file to be listed in (see cleanup.ts). */
  ledger?: string;
}

export interface Monitoring {
  prometheus: ProcessHandle;
  pushgateway: ProcessHandle;
  /** `http://127.0.0.1:<port>` */
  prometheusUrl: string;
  pushgatewayUrl: string;
  targetsDir: string;
  configFile: string;
  /** Stops Prometheus, then the Pushgateway. */
  stop(): Promise<void>;
}

async function startHttpProcess(opts: {
  name: string;
  command: string;
  args: (address: string) => string[];
  dir: string;
  ready: string;
  port?: number;
  ledger?: string;
}): Promise<{ process: ManagedProcess; url: string }> {
  const port = opts.port ?? (await freePort(HOST));
  const address = `${HOST}:${port}`;
  const url = `http://${address}`;
  const proc = new ManagedProcess({
    name: opts.name,
    command: opts.command,
    args: opts.args(address),
    logFile: join(opts.dir, 'logs', `${opts.name}.log`),
    cwd: opts.dir,
    port,
    ready: () => answersOk(`${url}${opts.ready}`),
    readyTimeoutMs: 30_000,
    stopTimeoutMs: 10_000,
    ...(opts.ledger ? { ledger: opts.ledger } : {}),
  });
  await proc.start();
  return { process: proc, url };
}

/** Starts the Pushgateway, then Prometheus scraping it and every stack in `targetsDir`. */
export async function startMonitoring(opts: MonitoringOptions): Promise<Monitoring> {
  const binaries = findMonitoringBinaries();
  const install = 'install it with `apt-get install prometheus prometheus-pushgateway` (Debian/Ubuntu)';
  if (!binaries.prometheus) throw new MissingBinaryError('prometheus', install);
  if (!binaries.pushgateway) throw new MissingBinaryError('prometheus-pushgateway', install);
  const dir = resolve(opts.dir);
  const targetsDir = resolve(opts.targetsDir ?? join(dir, 'targets'));
  mkdirSync(join(dir, 'logs'), { recursive: true });
  mkdirSync(targetsDir, { recursive: true });

  const pushgateway = await startHttpProcess({
    name: 'pushgateway',
    command: binaries.pushgateway,
    // No persistence file: Debian's default lives under /var/lib, and a run's pushes die with it.
    args: (address) => [`--web.listen-address=${address}`, '--persistence.file=', '--log.level=warn'],
    dir,
    ready: '/-/ready',
    ledger: opts.ledger,
  });

  const port = await freePort(HOST);
  const self = `${HOST}:${port}`;
  const configFile = join(dir, 'prometheus.yml');
  const config = nativePrometheusConfig({
    targetsDir,
    self,
    pushgateway: new URL(pushgateway.url).host,
    scrapeIntervalSeconds: opts.scrapeIntervalSeconds,
  });
  writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
  let prometheus: { process: ManagedProcess; url: string };
  try {
    prometheus = await startHttpProcess({
      name: 'prometheus',
      command: binaries.prometheus,
      port,
      args: (address) => [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(dir, 'prometheus')}`,
        `--web.listen-address=${address}`,
        // k6 and other load generators may write their results in (the compose stack does the same).
        '--web.enable-remote-write-receiver',
        '--log.level=warn',
      ],
      dir,
      ready: '/-/ready',
      ledger: opts.ledger,
    });
  } catch (err) {
    await pushgateway.process.stop();
    throw err;
  }
  return {
    prometheus: prometheus.process,
    pushgateway: pushgateway.process,
    prometheusUrl: prometheus.url,
    pushgatewayUrl: pushgateway.url,
    targetsDir,
    configFile,
    async stop() {
      await prometheus.process.stop();
      await pushgateway.process.stop();
    },
  };
}
