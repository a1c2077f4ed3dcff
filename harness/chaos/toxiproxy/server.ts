import { serve } from '@hono/node-server';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ApiError, BadRequestBody } from './api-error.ts';
import { ProxyCollection } from './proxy-collection.ts';

/**
 * What GET /version reports: the upstream API level we follow, marked as ours (semver build metadata,
 * so a client that parses it still reads 2.12.0).
 */
export const TOXIPROXY_VERSION = '2.12.0+faultline';

export interface ToxiproxyServer {
  /** Base URL of the HTTP API, e.g. `http://127.0.0.1:8474`, for `new Toxiproxy(url)`. */
  url: string;
  port: number;
  /** Closes every proxy and its connections, then the API. */
  stop(): Promise<void>;
}

/** Upstream toxiproxy's HTTP API (api.go) over a collection of proxies. */
export function toxiproxyApi(proxies: ProxyCollection): Hono {
  const app = new Hono();
  app.use(refuseBrowsers());

  app.post('/reset', async (c) => {
    await proxies.reset();
    return c.body(null, 204);
  });

  app.get('/proxies', (c) => c.json(proxies.list()));
  app.post('/proxies', async (c) => {
    const proxy = await proxies.create(await readJson(c));
    return c.json(proxy.toJSON(), 201);
  });
  app.post('/populate', async (c) => {
    try {
      const created = await proxies.populate(await readJson(c));
      return c.json({ proxies: created.map((p) => p.toJSON()) }, 201);
    } catch (err) {
      // Upstream answers a failed populate with the error and a null proxy list in one body.
      const error = asApiError(err);
      return c.json({ ...error.toJSON(), proxies: null }, statusOf(error));
    }
  });

  app.get('/proxies/:proxy', (c) => c.json(proxies.get(c.req.param('proxy')).toJSON()));
  app.on(['POST', 'PATCH'], '/proxies/:proxy', async (c) => {
    const proxy = await proxies.update(c.req.param('proxy'), await readJson(c));
    return c.json(proxy.toJSON());
  });
  app.delete('/proxies/:proxy', async (c) => {
    await proxies.remove(c.req.param('proxy'));
    return c.body(null, 204);
  });

  app.get('/proxies/:proxy/toxics', (c) => c.json(proxies.get(c.req.param('proxy')).listToxics()));
  app.post('/proxies/:proxy/toxics', async (c) => {
    const proxy = proxies.get(c.req.param('proxy'));
    return c.json(proxy.addToxic(await readJson(c)));
  });
  app.get('/proxies/:proxy/toxics/:toxic', (c) =>
    c.json(proxies.get(c.req.param('proxy')).getToxic(c.req.param('toxic'))),
  );
  app.on(['POST', 'PATCH'], '/proxies/:proxy/toxics/:toxic', async (c) => {
    const proxy = proxies.get(c.req.param('proxy'));
    return c.json(proxy.updateToxic(c.req.param('toxic'), await readJson(c)));
  });
  app.delete('/proxies/:proxy/toxics/:toxic', (c) => {
    proxies.get(c.req.param('proxy')).removeToxic(c.req.param('toxic'));
    return c.body(null, 204);
  });

  app.get('/version', (c) => c.json({ version: TOXIPROXY_VERSION }));

  app.notFound((c) => c.text('404 page not found\n', 404));
  app.onError((err, c) => {
    const error = asApiError(err);
    return c.json(error.toJSON(), statusOf(error));
  });
  return app;
}

/** Starts the API on host:port (port 0 picks a free one). */
export function startToxiproxyServer({ host = '127.0.0.1', port = 0 } = {}): Promise<ToxiproxyServer> {
  const proxies = new ProxyCollection();
  const app = toxiproxyApi(proxies);
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, (info) => {
      server.off('error', reject);
      const urlHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${urlHost}:${info.port}`,
        port: info.port,
        async stop() {
          await proxies.closeAll();
          await new Promise<void>((done) => {
            server.close(() => done());
            // Clients keep API connections alive; close() would wait for their idle timeout.
            if ('closeAllConnections' in server) server.closeAllConnections();
          });
        },
      });
    });
    server.once('error', reject);
  });
}

/**
 * Upstream refuses browsers so that a web page cannot drive the API through the user's browser
 * (DNS rebinding, cross-site POSTs); same check, same answer.
 */
function refuseBrowsers(): MiddlewareHandler {
  return async function refuseBrowsers(c, next) {
    if (c.req.header('user-agent')?.startsWith('Mozilla/')) return c.text('User agent not allowed\n', 403);
    await next();
  };
}

async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  // Go's decoder calls an empty body "EOF"; clients that match on upstream's message see the same.
  if (text.trim() === '') throw new BadRequestBody('EOF');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BadRequestBody((err as Error).message);
  }
}

function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError(500, err instanceof Error ? err.message : String(err));
}

function statusOf(error: ApiError): ContentfulStatusCode {
  return error.status as ContentfulStatusCode;
}
