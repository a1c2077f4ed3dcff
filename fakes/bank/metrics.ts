import { Counter, Histogram, Registry } from 'prom-client';
import { collectNodeMetrics } from '../../lib/node-metrics.ts';

/**
 * The bank's own metrics, in a registry of its own: the bank is a separate system from the service,
 * so even when both run in one process their /metrics never mix.
 */
export const bankRegistry = new Registry();
collectNodeMetrics(bankRegistry);

export const chargeResults = new Counter({
  name: 'bank_charges_total',
  help: 'POST /v1/charges outcomes: charged, declined, replayed, voided, key_reused.',
  labelNames: ['result'] as const,
  registers: [bankRegistry],
});

export const faultsInjected = new Counter({
  name: 'bank_faults_injected_total',
  help: 'Faults injected by the bank: latency, latency_spike, error, timeout, drop_response, decline.',
  labelNames: ['kind'] as const,
  registers: [bankRegistry],
});

export const requests = new Counter({
  name: 'bank_requests_total',
  help: 'HTTP requests handled by the bank, by route template and status ("dropped" when no answer was sent).',
  labelNames: ['route', 'status'] as const,
  registers: [bankRegistry],
});

export const requestDuration = new Histogram({
  name: 'bank_request_duration_seconds',
  help: 'Time the bank took to handle a request, injected latency included.',
  labelNames: ['route'] as const,
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60],
  registers: [bankRegistry],
});

export const ledgerFlushDuration = new Histogram({
  name: 'bank_ledger_flush_duration_seconds',
  help: 'Time of one group commit of the ledger: one write plus one fsync.',
  buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  registers: [bankRegistry],
});

export const ledgerBatchRecords = new Histogram({
  name: 'bank_ledger_batch_records',
  help: 'Records made durable by one group commit of the ledger.',
  buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
  registers: [bankRegistry],
});
