import { Hono } from 'hono';
import { exposition, registry } from '../metrics.ts';

/** The HTTP face of a background role: /healthz and /metrics, plus any role-specific routes. */
export function opsApp(extra?: (app: Hono) => void): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/metrics', async (c) => c.text(await exposition(), 200, { 'Content-Type': registry.contentType }));
  extra?.(app);
  app.notFound((c) =>
    c.json({ code: 'route_not_found', message: `no route ${c.req.method} ${c.req.path}` }, 404),
  );
  return app;
}
