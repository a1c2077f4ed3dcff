import { Hono } from 'hono';
import type { ApiDeps } from '../deps.ts';

const PROBE_TIMEOUT_MS = 1_000;

async function probe(check: () => Promise<unknown>): Promise<'up' | 'down'> {
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), PROBE_TIMEOUT_MS).unref()),
    ]);
    return 'up';
  } catch {
    return 'down';
  }
}

/**
 * Only Postgres makes the API unready (503): with the queue Redis down, payouts are still accepted into
 * the outbox (`degraded`). Which dependency is down is detail for operators (the ops listener's /readyz).
 */
export async function readiness(deps: Pick<ApiDeps, 'pool' | 'redisQueue'>) {
  const [postgres, redisQueue] = await Promise.all([
    probe(() => deps.pool.query('SELECT 1')),
    probe(() => deps.redisQueue.ping()),
  ]);
  const ready = postgres === 'up';
  const status = !ready ? 'unready' : redisQueue === 'up' ? 'ready' : 'degraded';
  return { ready, status, dependencies: { postgres, redisQueue } };
}

/** /healthz: the process is alive. /readyz: whether to send it traffic, without saying why not. */
export function healthRoutes(deps: ApiDeps) {
  return new Hono()
    .get('/healthz', (c) => c.json({ status: 'ok' }))
    .get('/readyz', async (c) => {
      const r = await readiness(deps);
      return c.json({ status: r.status }, r.ready ? 200 : 503);
    });
}

/** The ops listener's /readyz: the same answer with each dependency's state. */
export function readinessDetail(deps: Pick<ApiDeps, 'pool' | 'redisQueue'>) {
  return (app: Hono) =>
    app.get('/readyz', async (c) => {
      const { ready, status, dependencies } = await readiness(deps);
      return c.json({ status, dependencies }, ready ? 200 : 503);
    });
}
