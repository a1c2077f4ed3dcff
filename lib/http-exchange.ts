import http from 'node:http';
import https from 'node:https';

/**
 * One HTTP/1.1 exchange over kept-alive connections (node:http with a keep-alive agent), as the
 * service's bank client and the mock bank's own make them. Chosen over `fetch` for the worker's hot path: undici's fetch builds WHATWG streams, a cloned request
 * body, Headers and an AbortSignal per call, which cost more CPU than the bank's own work (bench/
 * profile.ts); this client keeps one socket per concurrent call and parses nothing but the status,
 * the headers node already parsed, and the body text.
 */

export interface Exchange {
  status: number;
  /** A response header, by lower-case name. */
  header(name: string): string | undefined;
  text: string;
}

/** No complete answer within the exchange's time limit (the request is abandoned, its socket closed). */
export class ExchangeTimeout extends Error {
  override readonly name = 'TimeoutError';
}

export interface Transport {
  exchange(req: {
    method: string;
    path: string;
    headers: Record<string, string>;
    body: string | undefined;
    timeoutMs: number;
  }): Promise<Exchange>;
  /** Closes the idle kept-alive sockets. */
  close(): void;
}

/**
 * A transport to `baseUrl` (http or https) keeping connections alive between calls. Over https the
 * server's certificate is verified against `ca` (the system's CAs when absent).
 */
export function keepAliveTransport(baseUrl: string, opts: { ca?: string | Buffer } = {}): Transport {
  const url = new URL(baseUrl);
  const secure = url.protocol === 'https:';
  const lib = secure ? https : http;
  // No cap on sockets: the caller bounds its own concurrency (the worker's), and a queue here would
  // count against each call's timeout. Idle sockets are closed after 4 s, before the server's 5 s.
  const agent = new lib.Agent({
    keepAlive: true,
    timeout: 4_000,
    scheduling: 'lifo',
    ...(secure && opts.ca ? { ca: opts.ca } : {}),
  });
  const base = {
    protocol: url.protocol,
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port || (secure ? 443 : 80),
    agent,
  };
  const prefix = url.pathname.replace(/\/+$/, '');
  return {
    exchange({ method, path, headers, body, timeoutMs }) {
      return new Promise<Exchange>((resolve, reject) => {
        const req = lib.request({ ...base, method, path: `${prefix}${path}`, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            clearTimeout(timer);
            resolve({
              status: res.statusCode ?? 0,
              header: (name) => {
                const v = res.headers[name];
                return Array.isArray(v) ? v.join(', ') : v;
              },
              text: Buffer.concat(chunks).toString('utf8'),
            });
          });
          res.on('error', fail);
        });
        const timer = setTimeout(
          () => req.destroy(new ExchangeTimeout(`no answer within ${timeoutMs} ms`)),
          timeoutMs,
        );
        function fail(err: Error) {
          clearTimeout(timer);
          reject(err);
        }
        req.on('error', fail);
        if (body !== undefined) req.setHeader('content-length', Buffer.byteLength(body));
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}
