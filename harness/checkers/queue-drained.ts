import type { CheckResult } from '../core/check-result.ts';
import { ErrorExamples } from './error-examples.ts';
import type { FinalState } from './final-state.ts';

/**
 * The payout queue is empty at the end. Each job left counts as one error; the examples are the
 * non-empty queue states, worst being the fullest. Only where the final state shows the queue.
 */
export function queueDrained(state: Required<Pick<FinalState, 'queue'>>): CheckResult {
  const errors = new ErrorExamples<{ state: string; jobs: number }>();
  const { waiting, active, delayed, prioritized } = state.queue;
  for (const [name, jobs] of Object.entries({ waiting, active, delayed, prioritized })) {
    if (jobs > 0) errors.add({ state: name, jobs }, { score: jobs, count: jobs });
  }
  return errors.result({
    name: 'queue-drained',
    description: 'No payout job is left waiting, active, delayed or prioritized at the end.',
    figures: { waiting, active, delayed, prioritized, total: waiting + active + delayed + prioritized },
  });
}
