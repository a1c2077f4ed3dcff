import { Hono } from 'hono';
import type { Registry } from 'prom-client';
import { exposition, registry } from '../metrics.ts';

/**
 * The HTTP face of a role's operator endpoints: /healthz, /metrics, plus any role-specific routes
 * (/readyz with detail, /recon/run). Served by listenOps() on the ops listener, never on the API's
 * public port: metrics show internals, /recon/run starts work, /readyz's detail names what is down.
 */
export function opsApp(extra?: (app: Hono) => void, opts: { registry?: Registry } = {}): Hono {
  const app = new Hono();
  const metrics = opts.registry ?? registry;
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  // The service's registry through exposition(), which leaves out (and counts) a gauge whose
  // dependency is down; a role with a registry of its own (the bank's) reads no dependency.
  app.get('/metrics', async (c) =>
    c.text(metrics === registry ? await exposition() : await metrics.metrics(), 200, {
      'Content-Type': metrics.contentType,
    }),
  );
  extra?.(app);
  app.notFound((c) =>
    c.json({ code: 'route_not_found', message: `no route ${c.req.method} ${c.req.path}` }, 404),
  );
  return app;
}
