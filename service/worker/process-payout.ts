import { type Job, type Queue, UnrecoverableError } from 'bullmq';
import type pg from 'pg';
import { type BankClient, BankUnavailable } from '../bank/client.ts';
import type { Logger } from '../log.ts';
import { type failTransfer, noteTransferError } from '../payouts/transfers-repo.ts';
import type { PayoutJobData } from '../queue/queues.ts';
import { addDeadLetter, type DeadLetter } from './dead-letters.ts';
import type { TransferStatements } from './transfer-statements.ts';

export interface PayoutWorkerDeps {
  pool: pg.Pool;
  /** The bank operations a payout needs. */
  bank: Pick<BankClient, 'charge' | 'void'>;
  /** FAILED and refunded, atomically. */
  failTransfer: typeof failTransfer;
  dlq: Queue<DeadLetter>;
  /**
   * The claim (waiting at most LOCK_TIMEOUT_MS for its row, then the attempt fails and is retried) and
   * the settle: one statement per job, or gathered with other jobs' (WORKER_BATCH).
   */
  transfers: TransferStatements;
  log: Logger;
}

export type PayoutOutcome = 'settled' | 'skipped';

/**
 * Pays one transfer out through the bank, exactly once:
 * PROCESSING unless terminal (one statement) → charge with the transfer id as idempotency key → SETTLED.
 * A bank decline ends FAILED with the money refunded. A last attempt that still cannot get an answer
 * closes the unknown outcome (closeUnknown: void at the bank, then settle or refund). Any other error
 * (a request the bank refuses, a bug) is retried, and after the last attempt the transfer stays open,
 * its money held, for a replay once the cause is fixed. Every final failure goes to the dead-letter queue.
 */
export async function processPayout(deps: PayoutWorkerDeps, job: Job<PayoutJobData>): Promise<PayoutOutcome> {
  const { transferId } = job.data;
  const log = deps.log.child({ transferId, jobId: job.id });
  const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  try {
    const claim = await deps.transfers.claim(transferId);
    if (!claim) throw new UnrecoverableError(`transfer ${transferId} does not exist`);
    if (!claim.claimed) {
      log.info({ status: claim.transfer.status }, 'transfer already closed; job skipped');
      return 'skipped';
    }
    const t = claim.transfer;
    try {
      const result = await deps.bank.charge({
        key: t.id,
        reference: t.id,
        amount: t.amount,
        currency: t.currency,
        destination: t.destination,
      });
      if (result.kind === 'charged') {
        await deps.transfers.settle(t.id, result.charge.id);
        log.info('settled');
        return 'settled';
      }
      await deps.failTransfer(deps.pool, t.id, `bank_${result.kind}`);
      throw new UnrecoverableError(`bank answered ${result.kind}`);
    } catch (err) {
      if (err instanceof UnrecoverableError) throw err;
      await noteTransferError(deps.pool, t.id, (err as Error).message).catch(() => {});
      if (!(err instanceof BankUnavailable) || !lastAttempt) throw err;
      const closed = await closeUnknown(deps, t.id, 'attempts_exhausted');
      if (closed === 'settled') {
        log.info('settled (charge found when voiding after the last attempt)');
        return 'settled';
      }
      throw new UnrecoverableError(`bank unavailable after ${job.attemptsMade + 1} attempts: ${err.message}`);
    }
  } catch (err) {
    if (lastAttempt || err instanceof UnrecoverableError) await deadLetter(deps, job, (err as Error).message);
    throw err;
  }
}

/**
 * A job BullMQ failed without running it, because it stalled more often than allowed (its worker died
 * or hung each time): a final failure like any other. Its outcome at the bank is unknown, so it is
 * closed like a last attempt without an answer, and dead-lettered.
 */
export async function failStalledJob(deps: PayoutWorkerDeps, job: Job<PayoutJobData>, reason: string) {
  const { transferId } = job.data;
  const closed = await closeUnknown(deps, transferId, 'stalled_too_often').catch((err: Error) => {
    // The bank cannot be asked right now: the transfer stays open and recon resolves it later.
    deps.log.warn({ transferId, err: err.message }, 'stalled job left open: the bank could not be asked');
    return 'left open' as const;
  });
  await deadLetter(deps, job, `${reason} (${closed})`);
}

/**
 * Ends a transfer whose outcome at the bank is unknown: void the key first, so a request still in
 * flight can never charge after the refund; if the void finds a charge, the transfer is SETTLED,
 * otherwise FAILED and refunded. Throws BankUnavailable when the bank cannot be asked.
 */
async function closeUnknown(
  deps: PayoutWorkerDeps,
  transferId: string,
  reason: string,
): Promise<'settled' | 'failed'> {
  const final = await deps.bank.void(transferId);
  if (final.status === 'charged') {
    await deps.transfers.settle(transferId, final.id);
    return 'settled';
  }
  await deps.failTransfer(deps.pool, transferId, reason);
  return 'failed';
}

async function deadLetter(deps: PayoutWorkerDeps, job: Job<PayoutJobData>, reason: string): Promise<void> {
  const log = deps.log.child({ transferId: job.data.transferId, jobId: job.id });
  await addDeadLetter(deps.dlq, {
    transferId: job.data.transferId,
    jobId: String(job.id),
    reason,
    attemptsMade: job.attemptsMade + 1,
    failedAt: new Date().toISOString(),
  }).catch((err) => log.error({ err }, 'could not dead-letter the job'));
  log.warn({ reason }, 'payout job dead-lettered');
}
