import { Gauge } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { exposition, registry } from './metrics.ts';

const added: string[] = [];
function gauge(name: string, collect: () => Promise<void>) {
  added.push(name);
  return new Gauge({ name, help: 'test gauge', registers: [registry], collect });
}
afterEach(() => {
  for (const name of added.splice(0)) registry.removeSingleMetric(name);
});

describe('exposition', () => {
  it('leaves out and counts a gauge whose collect fails or hangs, and answers with everything else', async () => {
    gauge('test_reads_postgres', async () => {
      throw new Error('connect ECONNREFUSED');
    });
    gauge('test_reads_redis', () => new Promise(() => {})); // a Redis that never answers
    const ok = gauge('test_fine', async () => {});
    ok.set(7);
    const text = await exposition();
    expect(text).toContain('test_fine 7');
    expect(text).toContain('http_requests_total');
    expect(text).not.toMatch(/^test_reads_postgres /m);
    expect(text).not.toMatch(/^test_reads_redis /m);
    expect(text).toContain('metrics_collect_failures_total{metric="test_reads_postgres"} 1');
    expect(text).toContain('metrics_collect_failures_total{metric="test_reads_redis"} 1');
  });
});
