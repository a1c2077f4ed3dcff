import { timingSafeEqual } from 'node:crypto';
import { Hono, type MiddlewareHandler } from 'hono';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { type HttpServer, listen } from './serve.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Serves a role's ops app (opsApp) on its ops listener, OPS_HOST:OPS_PORT: loopback unless told. With
 * OPS_TOKEN set, everything but /healthz needs `Authorization: Bearer <token>`. Off loopback without a
 * token it still starts (a container network may be private) but says so.
 */
export async function listenOps(
  app: Hono,
  config: Pick<Config, 'OPS_HOST' | 'OPS_PORT' | 'OPS_TOKEN'>,
  log: Logger,
): Promise<HttpServer> {
  const guarded = new Hono();
  guarded.get('/healthz', (c) => c.json({ status: 'ok' }));
  if (config.OPS_TOKEN) guarded.use(opsToken(config.OPS_TOKEN));
  guarded.route('/', app);
  const server = await listen(guarded, { host: config.OPS_HOST, port: config.OPS_PORT });
  if (!LOOPBACK.has(config.OPS_HOST) && !config.OPS_TOKEN)
    log.warn(
      { host: config.OPS_HOST },
      'ops listener off loopback without OPS_TOKEN: /metrics and the ops routes are open to that network',
    );
  log.info({ host: config.OPS_HOST, port: server.port }, 'ops listening');
  return server;
}

/** Bearer token check in constant time; 401 `unauthorized` otherwise. */
const opsToken = (token: string): MiddlewareHandler =>
  async function opsToken(c, next) {
    const given = Buffer.from(/^bearer +(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1] ?? '');
    const wanted = Buffer.from(token);
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted))
      return c.json(
        { code: 'unauthorized', message: 'the ops endpoints need Authorization: Bearer <OPS_TOKEN>' },
        401,
      );
    await next();
  };
