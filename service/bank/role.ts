import { readFileSync } from 'node:fs';
import type { Config } from '../config.ts';
import { opsApp } from '../http/ops-app.ts';
import { listenOps } from '../http/ops-listener.ts';
import { listen, type ServerTls } from '../http/serve.ts';
import type { Logger } from '../log.ts';
import type { Running } from '../roles.ts';
import { createApp } from './app.ts';
import { Charges } from './charges.ts';
import { FaultDice } from './faults.ts';
import { Ledger } from './ledger.ts';
import { bankRegistry } from './metrics.ts';

export interface BankOptions {
  /** Directory of the ledger; created if missing. */
  dataDir: string;
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Seed of the fault dice when PUT /v1/faults gives none. */
  seed: number;
  log: Logger;
  /** How long the timeout fault holds a request when the client does not hang up: a minute, beyond any sane client timeout. */
  timeoutHoldMs?: number;
  /** The ops listener (/metrics): loopback and a free port unless told (see listenOps). */
  ops?: { host: string; port: number; token?: string };
  /** Refuse requests not signed with this key (BANK_SIGNING_KEY). */
  signingKey?: string;
  /** Serve HTTPS only, with this certificate and key (BANK_TLS_CERT_FILE, BANK_TLS_KEY_FILE). */
  tls?: ServerTls;
}

export interface RunningBank extends Running {
  /** Base URL for a BankClient, e.g. http://127.0.0.1:4010. */
  url: string;
  port: number;
  /** Base URL of its /metrics. */
  opsUrl: string;
}

/** Opens the ledger and serves the bank on host:port; stop() closes the server, then the ledger. */
export async function startBank(opts: BankOptions): Promise<RunningBank> {
  const ledger = await Ledger.open(opts.dataDir);
  const stopping = new AbortController();
  const app = createApp({
    charges: new Charges(ledger),
    dice: new FaultDice(opts.seed),
    log: opts.log,
    timeoutHoldMs: opts.timeoutHoldMs ?? 60_000,
    stopping: stopping.signal,
    ...(opts.signingKey ? { signingKey: opts.signingKey } : {}),
  });
  const server = await listen(app, {
    host: opts.host,
    port: opts.port,
    ...(opts.tls ? { tls: opts.tls } : {}),
  }).catch(async (err: unknown) => {
    await ledger.close();
    throw err;
  });
  opts.log.info({ port: server.port, dataDir: opts.dataDir, records: ledger.book.size }, 'bank listening');
  const opsConfig = opts.ops ?? { host: '127.0.0.1', port: 0 };
  const ops = await listenOps(
    opsApp(undefined, { registry: bankRegistry }),
    { OPS_HOST: opsConfig.host, OPS_PORT: opsConfig.port, OPS_TOKEN: opsConfig.token },
    opts.log,
  ).catch(async (err: unknown) => {
    await server.close();
    await ledger.close();
    throw err;
  });

  let stopped: Promise<void> | undefined;
  return {
    url: `${opts.tls ? 'https' : 'http'}://${urlHost(opts.host)}:${server.port}`,
    port: server.port,
    opsUrl: `http://${urlHost(opsConfig.host)}:${ops.port}`,
    stop() {
      stopped ??= (async () => {
        stopping.abort();
        await server.close();
        await ops.close();
        await ledger.close();
        opts.log.info('bank stopped; ledger flushed');
      })();
      return stopped;
    },
  };
}

/** The `bank` role: `tsx service/main.ts bank`. */
export function start(config: Config, log: Logger): Promise<Running> {
  const { BANK_TLS_CERT_FILE: certFile, BANK_TLS_KEY_FILE: keyFile } = config;
  if (Boolean(certFile) !== Boolean(keyFile))
    throw new Error('BANK_TLS_CERT_FILE and BANK_TLS_KEY_FILE go together: set both for HTTPS, or neither');
  return startBank({
    ...(certFile && keyFile ? { tls: { cert: readFileSync(certFile), key: readFileSync(keyFile) } } : {}),
    dataDir: config.BANK_DATA_DIR,
    host: config.HOST,
    port: config.PORT,
    seed: config.BANK_SEED,
    log,
    ops: { host: config.OPS_HOST, port: config.OPS_PORT, token: config.OPS_TOKEN },
    ...(config.BANK_SIGNING_KEY ? { signingKey: config.BANK_SIGNING_KEY } : {}),
  });
}

function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
