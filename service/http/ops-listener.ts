import { Hono } from 'hono';
import { bearerToken } from '../../lib/bearer-token.ts';
import { type HttpServer, listen } from '../../lib/http-serve.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';

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
  if (config.OPS_TOKEN)
    guarded.use(bearerToken(config.OPS_TOKEN, 'the ops endpoints need Authorization: Bearer <OPS_TOKEN>'));
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
