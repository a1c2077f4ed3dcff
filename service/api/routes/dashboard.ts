import { Hono } from 'hono';
import { rateLimit } from '../../ratelimit/rate-limit.ts';
import type { ApiDeps, ApiEnv } from '../deps.ts';

/**
 * /v1/dashboard: layout and history metadata cached 5 min, balances live. It reads balances, so it
 * counts in the `balance` route class: polling the dashboard is no way around the balance limit.
 */
export function dashboardRoutes(deps: ApiDeps) {
  const { limiter, dashboards } = deps.reads;
  return new Hono<ApiEnv>().get('/', rateLimit({ limiter, routeClass: 'balance' }), async (c) =>
    c.json(await dashboards.get(c.var.userId)),
  );
}
