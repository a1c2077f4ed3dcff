import { Hono } from 'hono';
import type { Logger } from 'pino';
import { bearerToken } from '../../lib/bearer-token.ts';
import { type HttpServer, listen, type ServerTls } from '../../lib/http-serve.ts';
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
  /** The ops listener (/healthz, /metrics): loopback and a free port unless told; `token` guards /metrics. */
  ops?: { host: string; port: number; token?: string | undefined };
  /** Refuse requests not signed with this key (contract/bank-signature.ts). */
  signingKey?: string | undefined;
  /** Serve HTTPS only, with this certificate and key (BANK_TLS_CERT_FILE, BANK_TLS_KEY_FILE). */
  tls?: ServerTls | undefined;
}

export interface RunningBank {
  /** Base URL of the bank's API, e.g. http://127.0.0.1:4010. */
  url: string;
  port: number;
  /** Base URL of its ops listener (/metrics). */
  opsUrl: string;
  /** Closes the server, then the ledger (flushed). */
  stop(): Promise<void>;
}

/** Opens the ledger and serves the bank on host:port, and its /metrics on an ops listener of its own. */
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
  const ops = await listenOps(opsConfig).catch(async (err: unknown) => {
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

/** /healthz, and /metrics from the bank's own registry (behind `token` when given). */
function listenOps(opts: { host: string; port: number; token?: string | undefined }): Promise<HttpServer> {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  if (opts.token)
    app.use(bearerToken(opts.token, 'the ops endpoints need Authorization: Bearer <OPS_TOKEN>'));
  app.get('/metrics', async (c) =>
    c.text(await bankRegistry.metrics(), 200, { 'Content-Type': bankRegistry.contentType }),
  );
  return listen(app, { host: opts.host, port: opts.port });
}

function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
