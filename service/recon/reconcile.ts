import type { JobsOptions, Queue } from 'bullmq';
import type pg from 'pg';
import { Counter } from 'prom-client';
import { type BankClient, BankUnavailable, type Charge } from '../bank/client.ts';
import type { Sabotage } from '../config.ts';
import type { Logger } from '../log.ts';
import { registry } from '../metrics.ts';
import { failTransfer, settleTransfer } from '../payouts/transfers-repo.ts';
import { type PayoutJobData, payoutJobId } from '../queue/queues.ts';
import { claimStuck, markManualReview, markRequeued, purgeExpiredIdempotencyKeys } from './recon-repo.ts';

const outcomes = new Counter({
  name: 'recon_outcomes_total',
  help: 'Stuck transfers resolved by the recon janitor, by outcome.',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export interface ReconDeps {
  pool: pg.Pool;
  bank: BankClient;
  payouts: Queue<PayoutJobData>;
  jobOptions: (jobId: string) => JobsOptions;
  log: Logger;
  stuckAfterMs: number;
  maxAttempts: number;
  /** The payout queue's waiting count that recon never pushes it above. */
  queueBound: number;
  batch: number;
  /** A run gives up (to resume at the next one) after this long. */
  maxRunMs: number;
  sabotage: ReadonlySet<Sabotage>;
}

export interface ReconSummary {
  examined: number;
  settledByLookup: number;
  failedByLookup: number;
  requeued: number;
  manualReview: number;
  /** The highest waiting count recon saw on the payout queue during the run. */
  peakWaiting: number;
  throttledMs: number;
  durationMs: number;
  /** False when the run stopped early (deadline, bank unreachable) with stuck rows possibly left. */
  complete: boolean;
  expiredKeysPurged: number;
}

const THROTTLE_POLL_MS = 100;

/**
 * One janitor run. For each transfer stuck in PENDING/PROCESSING, ask the bank by key first:
 * charged there → SETTLED (no resend); declined or voided → FAILED and refunded; unknown → re-enqueue
 * (safe: the bank is idempotent by key), or MANUAL_REVIEW once recon has tried maxAttempts times.
 * Claims batches with SKIP LOCKED (recon processes never collide) and only as many as keep the payout
 * queue's waiting count ≤ queueBound, so 10,000 stuck rows trickle in instead of flooding the queue.
 */
export async function reconcile(deps: ReconDeps): Promise<ReconSummary> {
  const started = Date.now();
  const s: ReconSummary = {
    examined: 0,
    settledByLookup: 0,
    failedByLookup: 0,
    requeued: 0,
    manualReview: 0,
    peakWaiting: 0,
    throttledMs: 0,
    durationMs: 0,
    complete: false,
    expiredKeysPurged: await purgeExpiredIdempotencyKeys(deps.pool, 10_000),
  };
  while (Date.now() - started < deps.maxRunMs) {
    const waiting = await deps.payouts.getWaitingCount();
    s.peakWaiting = Math.max(s.peakWaiting, waiting);
    const room = deps.sabotage.has('recon-no-throttle') ? deps.batch : deps.queueBound - waiting;
    if (room <= 0) {
      await new Promise((r) => setTimeout(r, THROTTLE_POLL_MS));
      s.throttledMs += THROTTLE_POLL_MS;
      continue;
    }
    const more = await reconcileBatch(deps, Math.min(deps.batch, room), s);
    if (more === 'done') {
      s.complete = true;
      break;
    }
    if (more === 'bank_unavailable') break;
  }
  s.durationMs = Date.now() - started;
  deps.log.info({ ...s }, 'recon run finished');
  return s;
}

async function reconcileBatch(
  deps: ReconDeps,
  limit: number,
  s: ReconSummary,
): Promise<'more' | 'done' | 'bank_unavailable'> {
  const client = await deps.pool.connect();
  try {
    await client.query('BEGIN');
    const rows = await claimStuck(client, deps.stuckAfterMs, limit);
    if (rows.length === 0) {
      await client.query('COMMIT');
      return 'done';
    }
    let charges: (Charge | null)[];
    try {
      charges = await Promise.all(rows.map((r) => deps.bank.lookup(r.id)));
    } catch (err) {
      if (!(err instanceof BankUnavailable)) throw err;
      await client.query('ROLLBACK');
      outcomes.inc({ outcome: 'bank_unavailable' }, rows.length);
      deps.log.warn({ err: err.message }, 'recon: bank unreachable, run stops; rows stay for the next run');
      return 'bank_unavailable';
    }
    const requeue: typeof rows = [];
    const manual: string[] = [];
    for (const [i, row] of rows.entries()) {
      const charge = charges[i];
      if (charge?.status === 'charged') {
        await settleTransfer(client, row.id, charge.id);
        s.settledByLookup++;
        outcomes.inc({ outcome: 'settled_by_lookup' });
      } else if (charge) {
        await failTransfer(client, row.id, `bank_${charge.status}`);
        s.failedByLookup++;
        outcomes.inc({ outcome: 'failed_by_lookup' });
      } else if (row.recon_attempts >= deps.maxAttempts) {
        manual.push(row.id);
      } else {
        requeue.push(row);
      }
    }
    await markManualReview(client, manual, `recon gave up after ${deps.maxAttempts} attempts`);
    await markRequeued(
      client,
      requeue.map((r) => r.id),
    );
    if (requeue.length) {
      // Inside the transaction: if Redis refuses, nothing is marked and the rows stay stuck for a retry.
      await deps.payouts.addBulk(
        requeue.map((r) => ({
          name: 'payout',
          data: { transferId: r.id },
          opts: deps.jobOptions(payoutJobId(r.id, `recon-${r.recon_attempts + 1}`)),
        })),
      );
    }
    await client.query('COMMIT');
    s.examined += rows.length;
    s.requeued += requeue.length;
    s.manualReview += manual.length;
    outcomes.inc({ outcome: 'requeued' }, requeue.length);
    outcomes.inc({ outcome: 'manual_review' }, manual.length);
    return 'more';
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
