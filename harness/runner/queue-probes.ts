import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { DEAD_LETTER_QUEUE, type PayoutJobData, workerName } from '../../service/queue/queues.ts';
import { type DeadLetter, listDeadLetters } from '../../service/worker/dead-letters.ts';
import { type ProcessHandle, redisClientOptions } from '../../stack/index.ts';
import { hitsBefore } from '../chaos/evidence.ts';
import type { Fault } from '../chaos/nemesis.ts';
import { kill } from '../chaos/process-faults.ts';
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

/** The dead letters the workers wrote so far (read directly from the queue Redis, never through a proxy). */
export async function deadLetters(ctx: ScenarioContext): Promise<DeadLetter[]> {
  const connection = new Redis(ctx.stack.redisQueue.url, {
    maxRetriesPerRequest: 1,
    ...redisClientOptions(ctx.stack.info(), 'queue'),
  });
  connection.on('error', () => {});
  const dlq = new Queue<DeadLetter>(DEAD_LETTER_QUEUE, {
    connection,
    prefix: ctx.stack.serviceEnv().QUEUE_PREFIX,
  });
  try {
    return await listDeadLetters(dlq, 100_000);
  } finally {
    await dlq.close();
    connection.disconnect();
  }
}
