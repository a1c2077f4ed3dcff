import { Agent, request } from 'node:http';
import type { RequestOutcome } from './generator.ts';

/** One HTTP answer: status and body text. */
export interface HttpAnswer {
  status: number;
  body: string;
}

export interface HttpCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  json?: unknown;
  signal?: AbortSignal;
}

/**
 * A keep-alive HTTP/1.1 client of one base URL (node:http with a keep-alive Agent: a socket per
 * request in flight, reused, as k6 and pgbench keep their connections). Rejects on network errors and
 * aborts; any status resolves.
 */
export class HttpTarget {
  readonly #agent: Agent;
  readonly #host: string;
  readonly #port: number;

  constructor(baseUrl: string, { maxSockets = 256 }: { maxSockets?: number } = {}) {
    const url = new URL(baseUrl);
    if (url.protocol !== 'http:') throw new Error(`only http:// targets are supported, not ${baseUrl}`);
    this.#host = url.hostname;
    this.#port = Number(url.port || 80);
    this.#agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  call(c: HttpCall): Promise<HttpAnswer> {
    const payload = c.json === undefined ? undefined : JSON.stringify(c.json);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent: this.#agent,
          host: this.#host,
          port: this.#port,
          method: c.method,
          path: c.path,
          headers: {
            ...(payload === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
            ...c.headers,
          },
          signal: c.signal,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Closes every kept-alive socket. */
  close(): void {
    this.#agent.destroy();
  }
}

/**
 * A RequestOutcome for an HTTP call: ok when the status is one of `okStatuses`, else `http_<status>`;
 * a network error or abort becomes its code (`timeout`, `ECONNREFUSED`, …).
 */
export async function httpOutcome(
  answer: Promise<HttpAnswer>,
  okStatuses: readonly number[] = [200, 201],
): Promise<RequestOutcome> {
  try {
    const res = await answer;
    return okStatuses.includes(res.status) ? { ok: true } : { ok: false, error: `http_${res.status}` };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.name === 'AbortError' || e.name === 'TimeoutError') return { ok: false, error: 'timeout' };
    return { ok: false, error: e.code ?? 'network' };
  }
}
