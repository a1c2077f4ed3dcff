import type { CheckResult } from '../core/check-result.ts';
import { ErrorExamples } from './error-examples.ts';

/** One reading of the payout queue's waiting count, in ms since the run started. */
export interface QueueSample {
  time: number;
  waiting: number;
}

/** The reconciliation janitor never filled the payout queue above its bound: every sample ≤ bound. */
export function reconBound(samples: QueueSample[], bound: number): CheckResult {
  const errors = new ErrorExamples<{ time: number; waiting: number; bound: number }>();
  let peak = 0;
  for (const s of samples) {
    peak = Math.max(peak, s.waiting);
    if (s.waiting > bound) errors.add({ time: s.time, waiting: s.waiting, bound }, { score: s.waiting });
  }
  return errors.result({
    name: 'recon-bound',
    description: 'The payout queue’s waiting count never exceeded the reconciliation bound.',
    figures: { peak, bound, samples: samples.length },
  });
}
