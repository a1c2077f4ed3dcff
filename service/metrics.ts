import { Counter, Histogram, Registry } from 'prom-client';
import { collectNodeMetrics } from '../lib/node-metrics.ts';

/**
 * The service's metrics, one registry per process. Names follow Prometheus rules: base units,
 * counters end in _total, labels are bounded (route templates and outcomes, never an id).
 */
export const registry = new Registry();
collectNodeMetrics(registry);

const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const httpRequests = new Counter({
  name: 'http_requests_total',
  help: 'HTTP requests answered, by route template and status code.',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [registry],
});

export const httpDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP request duration, by route template and status code.',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: latencyBuckets,
  registers: [registry],
});

export const lockWait = new Histogram({
  name: 'account_lock_wait_seconds',
  help: 'Time a money operation waited for its account row lock(s), measured inside Postgres.',
  labelNames: ['operation'] as const,
  buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2],
  registers: [registry],
});

export const lockHold = new Histogram({
  name: 'account_lock_hold_seconds',
  help: 'Time a money operation held its account row lock(s) before commit, measured inside Postgres.',
  labelNames: ['operation'] as const,
  buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
  registers: [registry],
});

export const moneyOps = new Counter({
  name: 'money_operations_total',
  help: 'Money operations by kind and outcome (ok, replayed, insufficient_funds, ...).',
  labelNames: ['operation', 'outcome'] as const,
  registers: [registry],
});

export const txRetries = new Counter({
  name: 'db_transaction_retries_total',
  help: 'Money transactions retried after a deadlock (40P01) or serialization failure (40001).',
  labelNames: ['operation', 'sqlstate'] as const,
  registers: [registry],
});

export const bankCalls = new Counter({
  name: 'bank_calls_total',
  help: 'Calls from the service to the bank, by operation and outcome.',
  labelNames: ['operation', 'outcome'] as const,
  registers: [registry],
});

export const bankCallDuration = new Histogram({
  name: 'bank_call_duration_seconds',
  help: 'Duration of calls from the service to the bank.',
  labelNames: ['operation'] as const,
  buckets: latencyBuckets,
  registers: [registry],
});

export const cacheRequests = new Counter({
  name: 'cache_requests_total',
  help: 'Cache reads by cache and result: hit, miss (loaded), bypass (cache untrusted or unreachable: Postgres).',
  labelNames: ['cache', 'result'] as const,
  registers: [registry],
});

export const cacheLoads = new Counter({
  name: 'cache_loads_total',
  help: 'Postgres loads made to answer or refill a cache entry.',
  labelNames: ['cache'] as const,
  registers: [registry],
});

export const cacheLockWaits = new Counter({
  name: 'cache_lock_waits_total',
  help: 'Times a loader found another process loading the same entry and waited for its value.',
  labelNames: ['cache'] as const,
  registers: [registry],
});

export const cacheErrors = new Counter({
  name: 'cache_errors_total',
  help: 'Failed commands to the cache Redis, by user (profile, dashboard, rate_limit, sync) and cause.',
  labelNames: ['cache', 'cause'] as const,
  registers: [registry],
});

export const cacheInvalidationsApplied = new Counter({
  name: 'cache_invalidations_applied_total',
  help: 'Rows of the invalidation outbox applied (purged in Redis, then deleted) by the sync pass.',
  registers: [registry],
});

export const rateLimitDecisions = new Counter({
  name: 'rate_limit_decisions_total',
  help: 'Rate-limit decisions by route class: allowed or limited.',
  labelNames: ['route_class', 'decision'] as const,
  registers: [registry],
});

export const rateLimitFallbacks = new Counter({
  name: 'rate_limit_fallback_total',
  help: 'Rate-limit decisions made by the in-process fallback because the cache Redis was unreachable.',
  labelNames: ['route_class'] as const,
  registers: [registry],
});

export const balanceQueries = new Counter({
  name: 'balance_queries_total',
  help: 'Postgres queries run for balance reads (account reads and dashboard balances).',
  registers: [registry],
});

export const balanceReadsCoalesced = new Counter({
  name: 'balance_reads_coalesced_total',
  help: 'Balance reads answered by sharing a concurrent identical query instead of running their own.',
  registers: [registry],
});

export const collectFailures = new Counter({
  name: 'metrics_collect_failures_total',
  help: 'Metrics left out of a scrape because collecting them failed or hung (their database or Redis is down), by metric.',
  labelNames: ['metric'] as const,
  registers: [registry],
});

/** How long a scrape waits for one metric's collect(): a dependency that hangs must not hang /metrics. */
const COLLECT_TIMEOUT_MS = 2_000;

/**
 * The exposition text of the service's registry, metric by metric: a gauge whose collect() fails or
 * hangs (it reads Postgres or Redis, which may be down) is left out of this scrape and counted in
 * `metrics_collect_failures_total`, so every role's /metrics answers whatever is down.
 */
export async function exposition(): Promise<string> {
  const own = 'metrics_collect_failures_total';
  const names = registry
    .getMetricsAsArray()
    .map((m) => m.name)
    .filter((n) => n !== own);
  const parts = await Promise.all(
    names.map(async (name) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('collect timed out')), COLLECT_TIMEOUT_MS);
      });
      try {
        return await Promise.race([registry.getSingleMetricAsString(name), timeout]);
      } catch {
        collectFailures.inc({ metric: name });
        return null;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  parts.push(await registry.getSingleMetricAsString(own));
  return `${parts.filter((p): p is string => p !== null).join('\n\n')}\n`;
}
