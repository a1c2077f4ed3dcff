import { Hono } from 'hono';
import { exposition, registry } from '../metrics.ts';

/**
 * The HTTP face of a role's operator endpoints: /healthz, /metrics, plus any role-specific routes
 * (/readyz with detail, /recon/run). Served by listenOps() on the ops listener, never on the API's
 * public port: metrics show internals, /recon/run starts work, /readyz's detail names what is down.
 */
export function opsApp(extra?: (app: Hono) => void): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  // Through exposition(), which leaves out (and counts) a gauge whose dependency is down.
  app.get('/metrics', async (c) => c.text(await exposition(), 200, { 'Content-Type': registry.contentType }));
  extra?.(app);
  app.notFound((c) =>
    c.json({ code: 'route_not_found', message: `no route ${c.req.method} ${c.req.path}` }, 404),
  );
  return app;
}
