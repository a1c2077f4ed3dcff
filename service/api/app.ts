import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { AppError } from '../errors.ts';
import { httpDuration, httpRequests } from '../metrics.ts';
import { mapDatabaseError } from '../money/money-repo.ts';
import { auth } from './auth.ts';
import { bodyLimit } from './body-limit.ts';
import type { ApiDeps, ApiEnv } from './deps.ts';
import { accountRoutes } from './routes/accounts.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { healthRoutes } from './routes/health.ts';
import { payoutRoutes } from './routes/payouts.ts';
import { ownProfileRoutes, publicProfileRoutes } from './routes/profiles.ts';
import { transferRoutes } from './routes/transfers.ts';

const MAX_BODY_BYTES = 16 * 1024;
/** A 503 (lock_timeout, conflict_retry_exhausted, database_unavailable) changed nothing: retry this soon. */
const RETRY_AFTER_S = 1;

/** The payment API. Every error is JSON `{ code, message }` with a stable code (see errors.ts). */
export function createApp(deps: ApiDeps) {
  const app = new Hono<ApiEnv>();

  app.use(async function observe(c, next) {
    const requestId = c.req.header('x-request-id')?.slice(0, 100) || randomUUID();
    c.set('requestId', requestId);
    c.header('X-Request-Id', requestId);
    const start = performance.now();
    await next();
    // The route template, never the raw path: ids in labels would explode the series count.
    const route = c.res.status === 404 && c.req.routePath === '/*' ? 'unmatched' : c.req.routePath;
    const labels = { method: c.req.method, route, status: String(c.res.status) };
    httpRequests.inc(labels);
    httpDuration.observe(labels, (performance.now() - start) / 1000);
    if (c.res.status >= 500) deps.log.warn({ requestId, ...labels }, 'request failed');
  });

  app.route('/', healthRoutes(deps));

  const v1 = new Hono<ApiEnv>();
  v1.use(bodyLimit({ maxBytes: MAX_BODY_BYTES }));
  v1.use(auth({ pool: deps.pool, cache: deps.authCache }));
  v1.route('/accounts', accountRoutes(deps));
  v1.route('/payouts', payoutRoutes(deps));
  v1.route('/transfers', transferRoutes(deps));
  v1.route('/profile', ownProfileRoutes(deps));
  v1.route('/profiles', publicProfileRoutes(deps));
  v1.route('/dashboard', dashboardRoutes(deps));
  app.route('/v1', v1);

  app.notFound((c) =>
    c.json({ code: 'route_not_found', message: `no route ${c.req.method} ${c.req.path}` }, 404),
  );
  app.onError((raw, c) => {
    const err = raw instanceof AppError ? raw : mapDatabaseError(raw);
    if (err instanceof AppError) {
      const body = { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) };
      if (err.status === 503) c.header('Retry-After', String(RETRY_AFTER_S));
      return c.json(body, err.status as 400);
    }
    deps.log.error({ err: raw, requestId: c.var.requestId }, 'unhandled error');
    return c.json({ code: 'internal', message: 'internal error', requestId: c.var.requestId }, 500);
  });
  return app;
}
