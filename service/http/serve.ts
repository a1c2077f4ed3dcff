import type { AddressInfo } from 'node:net';
import { serve as honoServe } from '@hono/node-server';

export interface HttpServer {
  port: number;
  close(): Promise<void>;
}

/** Starts a Hono app on host:port; rejects with a clear message when the port cannot be bound. */
export function listen(
  app: { fetch: (req: Request) => Response | Promise<Response> },
  opts: { host: string; port: number },
): Promise<HttpServer> {
  return new Promise((resolve, reject) => {
    const server = honoServe(
      { fetch: app.fetch, hostname: opts.host, port: opts.port },
      (info: AddressInfo) => {
        resolve({
          port: info.port,
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              // Keep-alive sockets would hold close() open until their idle timeout.
              if ('closeIdleConnections' in server) server.closeIdleConnections();
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
