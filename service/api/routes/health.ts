import { Hono } from 'hono';
import { exposition, registry } from '../../metrics.ts';
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
 * /healthz: the process is alive. /readyz: which dependency is down. Only Postgres makes the API
 * unready (503): with the queue Redis down, payouts are still accepted into the outbox.
 */
export function healthRoutes(deps: ApiDeps) {
  return new Hono()
    .get('/healthz', (c) => c.json({ status: 'ok' }))
    .get('/readyz', async (c) => {
      const [postgres, redisQueue] = await Promise.all([
        probe(() => deps.pool.query('SELECT 1')),
        probe(() => deps.redisQueue.ping()),
      ]);
      const ready = postgres === 'up';
      const status = !ready ? 'unready' : redisQueue === 'up' ? 'ready' : 'degraded';
      return c.json({ status, dependencies: { postgres, redisQueue } }, ready ? 200 : 503);
    })
    .get('/metrics', async (c) => c.text(await exposition(), 200, { 'Content-Type': registry.contentType }));
}
