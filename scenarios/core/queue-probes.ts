import type { Queue } from 'bullmq';
import { hitsBefore } from '../../chaos/evidence.ts';
import type { Fault } from '../../chaos/nemesis.ts';
import { kill } from '../../chaos/process-faults.ts';
import { type PayoutJobData, workerName } from '../../service/queue/queues.ts';
import type { ProcessHandle } from '../../stack/index.ts';
import type { ScenarioContext } from './scenario.ts';

/** Ids of the payout jobs a worker process holds right now (BullMQ stamps each with its worker's name). */
export async function activeJobsOf(queue: Queue<PayoutJobData>, worker: ProcessHandle): Promise<string[]> {
  const name = workerName(worker.pid);
  const jobs = await queue.getJobs(['active']);
  return jobs.filter((j) => j.processedBy === name).map((j) => String(j.id));
}

/** SIGKILL a worker; its evidence is the jobs it held at that moment. */
export function killWorker(ctx: ScenarioContext, worker: ProcessHandle): Fault {
  return hitsBefore(
    kill(worker),
    'active jobs of the killed worker',
    async () => (await activeJobsOf(ctx.queue, worker)).length,
  );
}
