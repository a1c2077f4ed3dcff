import { Counter } from 'prom-client';
import { registry } from '../metrics.ts';
import { HOLD_REASONS } from './rules.ts';

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

// Every reason starts at 0, so that rate() has a series from the first scrape: a burst of holds just
// before a process stops would otherwise be one lone sample that no rate can see.
for (const reason of HOLD_REASONS) fraudHolds.inc({ reason }, 0);
