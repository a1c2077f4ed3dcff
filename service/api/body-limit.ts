import type { MiddlewareHandler } from 'hono';
import { PayloadTooLarge, RequestAborted } from '../errors.ts';

/**
 * Refuses bodies over `maxBytes` (413 payload_too_large) before anything reads them: a declared
 * Content-Length is checked at once; a chunked body is read here, counting, up to the limit. A client
 * that hangs up while sending is 400 request_aborted (see RequestAborted), never a 5xx.
 */
export const bodyLimit = ({ maxBytes = 16 * 1024 } = {}): MiddlewareHandler =>
  async function bodyLimit(c, next) {
    // Headers first: touching `raw.body` makes @hono/node-server build a whole web Request with streams,
    // where its own reader takes a declared body straight from the socket (the common case).
    const declared = c.req.header('content-length');
    if (declared !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (Number(declared) > maxBytes) throw new PayloadTooLarge(maxBytes);
      return next();
    }
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const raw = c.req.raw;
    if (!raw.body) return next();
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      const reader = raw.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.length;
        if (size > maxBytes) {
          await reader.cancel().catch(() => {});
          throw new PayloadTooLarge(maxBytes);
        }
        chunks.push(value);
      }
    } catch (err) {
      throw err instanceof PayloadTooLarge ? err : new RequestAborted(err);
    }
    c.req.raw = new Request(raw, { body: Buffer.concat(chunks) });
    return next();
  };
