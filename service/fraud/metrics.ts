import { Counter } from 'prom-client';
import { registry } from '../metrics.ts';

export const fraudChecks = new Counter({
  name: 'fraud_checks_total',
  help: 'Payouts screened by the fraud rules, by where the velocity window was: redis, or local (the in-process fallback while the cache Redis is unreachable).',
  labelNames: ['source'] as const,
  registers: [registry],
});

export const fraudHolds = new Counter({
  name: 'fraud_holds_total',
  help: 'New payouts held in MANUAL_REVIEW by a fraud rule, by reason (velocity_count, velocity_amount, amount_anomaly).',
  labelNames: ['reason'] as const,
  registers: [registry],
});
