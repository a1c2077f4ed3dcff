import type { Queue } from 'bullmq';
import { type PayoutJobData, payoutJobId } from '../queue/queues.ts';

/** A payout job that will not be retried any more, kept for listing and replay. */
export interface DeadLetter {
  transferId: string;
  jobId: string;
  reason: string;
  attemptsMade: number;
  failedAt: string;
}

/** Adds a dead letter; its id derives from the job's, so a re-run of the same job adds it once. */
export async function addDeadLetter(dlq: Queue<DeadLetter>, letter: DeadLetter): Promise<void> {
  await dlq.add('dead-letter', letter, { jobId: `dead-${letter.jobId}`, removeOnComplete: true });
}

export async function listDeadLetters(dlq: Queue<DeadLetter>, limit = 1_000): Promise<DeadLetter[]> {
  const jobs = await dlq.getJobs(['waiting'], 0, limit - 1, true);
  return jobs.map((j) => j.data);
}

/**
 * Sends a dead letter back to the payout queue as a new job and removes it from the dead-letter queue.
 * Safe for any transfer: the worker re-reads it and skips it when it is already terminal.
 */
export async function replayDeadLetter(
  dlq: Queue<DeadLetter>,
  payouts: Queue<PayoutJobData>,
  opts: { transferId: string; jobOptions: (jobId: string) => object },
): Promise<string | null> {
  const jobs = await dlq.getJobs(['waiting']);
  const job = jobs.find((j) => j.data.transferId === opts.transferId);
  if (!job) return null;
  const jobId = payoutJobId(opts.transferId, `replay-${Date.now()}`);
  await payouts.add('payout', { transferId: opts.transferId }, opts.jobOptions(jobId));
  await job.remove();
  return jobId;
}
