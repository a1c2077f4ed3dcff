import { hitsBefore } from '../chaos/evidence.ts';
import type { Fault } from '../chaos/nemesis.ts';
import { kill } from '../chaos/process-faults.ts';
import type { Component } from '../target/target.ts';
import { transfersNow } from './final-state.ts';
import type { ScenarioContext } from './scenario.ts';

/**
 * SIGKILL a worker (its description's kill, restart as the heal). Its evidence is what it held at that
 * moment: natively the payout jobs the queue shows it holding; elsewhere, where the queue is out of
 * sight, the run's payouts in PROCESSING (a worker's, though not necessarily this one's).
 */
export function killWorker(ctx: ScenarioContext, worker: Component): Fault {
  if (ctx.target.opts.native) {
    const queue = ctx.target.native.queue;
    return hitsBefore(
      kill(worker),
      'active jobs of the killed worker',
      async () => (await queue.activeJobsOf(worker.name)).length,
    );
  }
  return hitsBefore(kill(worker), 'payouts in PROCESSING at the kill', async () => {
    return (await transfersNow(ctx)).filter((t) => t.status === 'PROCESSING').length;
  });
}
