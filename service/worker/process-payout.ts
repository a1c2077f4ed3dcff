import { type Job, type Queue, UnrecoverableError } from 'bullmq';
import type pg from 'pg';
import { type BankClient, BankUnavailable } from '../bank/client.ts';
import type { Sabotage } from '../config.ts';
import type { Logger } from '../log.ts';
import {
  failTransfer,
  getTransfer,
  noteTransferError,
  settleTransfer,
  startProcessing,
} from '../payouts/transfers-repo.ts';
import type { PayoutJobData } from '../queue/queues.ts';
import { addDeadLetter, type DeadLetter } from './dead-letters.ts';

export interface PayoutWorkerDeps {
  pool: pg.Pool;
  bank: BankClient;
  dlq: Queue<DeadLetter>;
  log: Logger;
  sabotage: ReadonlySet<Sabotage>;
}

export type PayoutOutcome = 'settled' | 'skipped';

/**
 * Pays one transfer out through the bank, exactly once:
 * re-read (skip terminal) → PROCESSING → charge with the transfer id as idempotency key → SETTLED.
 * A bank decline, or a last attempt that still cannot reach the bank, ends FAILED with the money
 * refunded, and the job goes to the dead-letter queue. Before refunding an unknown outcome the charge is
 * voided at the bank, so a request still in flight can never charge after the refund.
 */
export async function processPayout(deps: PayoutWorkerDeps, job: Job<PayoutJobData>): Promise<PayoutOutcome> {
  const { transferId } = job.data;
  const log = deps.log.child({ transferId, jobId: job.id });
  const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  try {
    const current = await getTransfer(deps.pool, transferId);
    if (!current) throw new UnrecoverableError(`transfer ${transferId} does not exist`);
    const t = await startProcessing(deps.pool, transferId);
    if (!t) {
      log.info({ status: current.status }, 'transfer already closed; job skipped');
      return 'skipped';
    }
    try {
      const result = await deps.bank.charge({
        key: deps.sabotage.has('bank-no-key') ? undefined : t.id,
        reference: t.id,
        amount: t.amount,
        currency: t.currency,
        destination: t.destination,
      });
      if (result.kind === 'charged') {
        await settleTransfer(deps.pool, t.id, result.charge.id);
        log.info('settled');
        return 'settled';
      }
      await failTransfer(deps.pool, t.id, `bank_${result.kind}`);
      throw new UnrecoverableError(`bank answered ${result.kind}`);
    } catch (err) {
      if (!(err instanceof BankUnavailable)) throw err;
      await noteTransferError(deps.pool, t.id, err.message);
      if (!lastAttempt) throw err;
      const final = await deps.bank.void(t.id);
      if (final.status === 'charged') {
        await settleTransfer(deps.pool, t.id, final.id);
        log.info('settled (charge found when voiding after the last attempt)');
        return 'settled';
      }
      await failTransfer(deps.pool, t.id, 'attempts_exhausted');
      throw new UnrecoverableError(`bank unavailable after ${job.attemptsMade + 1} attempts: ${err.message}`);
    }
  } catch (err) {
    if (lastAttempt || err instanceof UnrecoverableError) {
      const reason = (err as Error).message;
      await addDeadLetter(deps.dlq, {
        transferId,
        jobId: String(job.id),
        reason,
        attemptsMade: job.attemptsMade + 1,
        failedAt: new Date().toISOString(),
      }).catch((dlqErr) => log.error({ err: dlqErr }, 'could not dead-letter the job'));
      log.warn({ reason }, 'payout job dead-lettered');
    }
    throw err;
  }
}
