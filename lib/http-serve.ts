import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { serve as honoServe } from '@hono/node-server';

/** How often a closing server closes the connections that went idle since. */
const SWEEP_MS = 50;
/** By default a closing server waits this long for in-flight requests, then cuts every connection left. */
const DRAIN_MS = 10_000;

export interface HttpServer {
  port: number;
  close(): Promise<void>;
}

/** A server's certificate chain and key (PEM): given, the server speaks HTTPS only. */
export interface ServerTls {
  cert: string | Buffer;
  key: string | Buffer;
}

/** Starts a Hono app on host:port; rejects with a clear message when the port cannot be bound. */
export function listen(
  app: { fetch: (req: Request) => Response | Promise<Response> },
  opts: { host: string; port: number; drainMs?: number; tls?: ServerTls },
): Promise<HttpServer> {
  return new Promise((resolve, reject) => {
    const base = { fetch: app.fetch, hostname: opts.host, port: opts.port };
    const server = honoServe(
      opts.tls
        ? {
            ...base,
            createServer: createHttpsServer,
            serverOptions: { cert: opts.tls.cert, key: opts.tls.key },
          }
        : base,
      (info: AddressInfo) => {
        resolve({
          port: info.port,
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              if (!('closeIdleConnections' in server)) return;
              // close() waits for every open connection, and a client that keeps a kept-alive one busy
              // would hold it open for ever (found by the deploy-drain scenario): close each connection
              // the moment it is idle between two requests, and cut what is left after drainMs.
              server.closeIdleConnections();
              const sweep = setInterval(() => server.closeIdleConnections(), SWEEP_MS);
              const cut = setTimeout(() => server.closeAllConnections(), opts.drainMs ?? DRAIN_MS);
              server.once('close', () => {
                clearInterval(sweep);
                clearTimeout(cut);
              });
            }),
        });
      },
    );
    server.once('error', (err: NodeJS.ErrnoException) => {
      const why =
        err.code === 'EADDRINUSE' ? 'is already in use' : `cannot be bound (${err.code ?? err.message})`;
      reject(new Error(`port ${opts.host}:${opts.port} ${why}`));
    });
  });
}
