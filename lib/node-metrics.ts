import { collectDefaultMetrics, type Registry } from 'prom-client';

/**
 * prom-client's default Node.js metrics, minus three gauges whose names end in `_total`
 * (`nodejs_active_{handles,requests,resources}_total`): Prometheus reserves that suffix for counters, so
 * `promtool check metrics` refuses them. Each is the sum of the labelled gauge without the suffix
 * (`sum(nodejs_active_handles)`), so nothing is lost.
 */
export function collectNodeMetrics(target: Registry): void {
  collectDefaultMetrics({ register: target });
  for (const name of ['handles', 'requests', 'resources'])
    target.removeSingleMetric(`nodejs_active_${name}_total`);
}
