import type { JobsOptions, Queue } from 'bullmq';
import type pg from 'pg';
import { Counter } from 'prom-client';
import type { BankClient, Charge } from '../bank/client.ts';
import type { Logger } from '../log.ts';
import { registry } from '../metrics.ts';
import { failTransfer, settleTransfer } from '../payouts/transfers-repo.ts';
import { type PayoutJobData, payoutJobId } from '../queue/queues.ts';
import {
  claimStuck,
  markManualReview,
  markRequeued,
  purgeExpiredIdempotencyKeys,
  type StuckTransfer,
} from './recon-repo.ts';

const outcomes = new Counter({
  name: 'recon_outcomes_total',
  help: 'Stuck transfers resolved by the recon janitor, by outcome.',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export interface ReconDeps {
  pool: pg.Pool;
  /** Where recon asks what became of a key. */
  bank: Pick<BankClient, 'lookup'>;
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
}

export interface ReconSummary {
  examined: number;
  settledByLookup: number;
  failedByLookup: number;
  requeued: number;
  manualReview: number;
  /** Rows whose bank lookup failed: skipped (left for a later run), not allowed to stop the batch. */
  lookupErrors: number;
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
 * No row lock is held while recon talks to the bank or to Redis, and each refund is its own transaction.
 */
export async function reconcile(deps: ReconDeps): Promise<ReconSummary> {
  const started = Date.now();
  const s: ReconSummary = {
    examined: 0,
    settledByLookup: 0,
    failedByLookup: 0,
    requeued: 0,
    manualReview: 0,
    lookupErrors: 0,
    peakWaiting: 0,
    throttledMs: 0,
    durationMs: 0,
    complete: false,
    expiredKeysPurged: await purgeExpiredIdempotencyKeys(deps.pool, 10_000),
  };
  while (Date.now() - started < deps.maxRunMs) {
    const waiting = await deps.payouts.getWaitingCount();
    s.peakWaiting = Math.max(s.peakWaiting, waiting);
    const room = deps.queueBound - waiting;
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
  const rows = await claimStuck(deps.pool, deps.stuckAfterMs, limit);
  if (rows.length === 0) return 'done';
  s.examined += rows.length;
  const lookups = await Promise.allSettled(rows.map((r) => deps.bank.lookup(r.id)));
  const failedLookups = lookups.filter((l) => l.status === 'rejected');
  s.lookupErrors += failedLookups.length;
  outcomes.inc({ outcome: 'lookup_error' }, failedLookups.length);
  if (failedLookups.length === rows.length) {
    const why = (failedLookups[0] as PromiseRejectedResult).reason as Error;
    deps.log.warn({ err: why.message }, 'recon: bank unreachable, run stops; rows stay for a later run');
    return 'bank_unavailable';
  }

  const settle: Array<{ row: StuckTransfer; charge: Charge }> = [];
  const fail: Array<{ row: StuckTransfer; charge: Charge }> = [];
  const requeue: StuckTransfer[] = [];
  const manual: string[] = [];
  for (const [i, row] of rows.entries()) {
    const lookup = lookups[i] as PromiseSettledResult<Charge | null>;
    if (lookup.status === 'rejected') continue; // skipped: touched by the claim, retried when stuck again
    const charge = lookup.value;
    if (charge?.status === 'charged') settle.push({ row, charge });
    else if (charge) fail.push({ row, charge });
    else if (row.recon_attempts >= deps.maxAttempts) manual.push(row.id);
    else requeue.push(row);
  }

  for (const { row, charge } of settle) {
    if (!(await settleTransfer(deps.pool, row.id, charge.id))) continue; // closed meanwhile by a worker
    s.settledByLookup++;
    outcomes.inc({ outcome: 'settled_by_lookup' });
  }
  // One refund per transaction, in account-id order: recon never holds two account locks, nor waits on
  // one while holding another, so it cannot deadlock with transfers (which lock in id order too).
  fail.sort((a, b) => compare(a.row.account_id, b.row.account_id) || compare(a.row.id, b.row.id));
  for (const { row, charge } of fail) {
    if (!(await failTransfer(deps.pool, row.id, `bank_${charge.status}`))) continue;
    s.failedByLookup++;
    outcomes.inc({ outcome: 'failed_by_lookup' });
  }
  await markManualReview(deps.pool, manual, `recon gave up after ${deps.maxAttempts} attempts`);
  s.manualReview += manual.length;
  outcomes.inc({ outcome: 'manual_review' }, manual.length);
  if (requeue.length) {
    // Redis first, then the mark: if Redis refuses, the rows are simply stuck again later. Job ids derive
    // from the attempt number, so adding the same attempt twice adds one job.
    await deps.payouts.addBulk(
      requeue.map((r) => ({
        name: 'payout',
        data: { transferId: r.id },
        opts: deps.jobOptions(payoutJobId(r.id, `recon-${r.recon_attempts + 1}`)),
      })),
    );
    await markRequeued(
      deps.pool,
      requeue.map((r) => r.id),
    );
  }
  s.requeued += requeue.length;
  outcomes.inc({ outcome: 'requeued' }, requeue.length);
  return 'more';
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
