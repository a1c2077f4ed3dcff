import { Counter, Histogram } from 'prom-client';
import { StatementBatcher } from '../coalescing/statement-batcher.ts';
import type { Logger } from '../log.ts';
import { registry } from '../metrics.ts';
import {
  claimTransfer,
  claimTransfers,
  type Queryable,
  settleTransfer,
  settleTransfers,
  type TransferClaim,
} from '../payouts/transfers-repo.ts';

const statementSize = new Histogram({
  name: 'worker_transfer_statement_size',
  help: 'Transfers per claim or settle statement of a payout worker with WORKER_BATCH=on.',
  labelNames: ['statement'] as const,
  buckets: [1, 2, 4, 8, 16, 32, 64, 128],
  registers: [registry],
});
const fallbacks = new Counter({
  name: 'worker_transfer_statement_fallbacks_total',
  help: 'Claim or settle statements of many transfers that failed, each transfer then run on its own.',
  labelNames: ['statement'] as const,
  registers: [registry],
});

/** The two statements a payout job makes on its transfer. */
export interface TransferStatements {
  /** PROCESSING for one more attempt (claimTransfer): claimed or the row as it was; null: no such transfer. */
  claim(id: string): Promise<TransferClaim | null>;
  /** SETTLED with the bank's charge id (settleTransfer); false when it was already terminal. */
  settle(id: string, chargeId: string): Promise<boolean>;
}

export interface TransferStatementOptions {
  /** LOCK_TIMEOUT_MS: a claim (and a settle of many) waits this long at most for a row. */
  lockTimeoutMs: number;
  /** WORKER_BATCH: gather concurrent jobs' statements; null: one statement per job. */
  batch: { max: number } | null;
  log: Logger;
}

/**
 * A worker's claims and settles: one statement per job, or (WORKER_BATCH=on) the claims of concurrent
 * jobs gathered into one statement and, apart, their settles (StatementBatcher: whatever arrives while
 * one is in flight goes in the next). A failed statement of many falls back to one statement per job,
 * so a row held past the lock timeout fails its own job's attempt only. Every caller is answered after
 * its statement committed, as with one statement each.
 */
export function transferStatements(pool: Queryable, opts: TransferStatementOptions): TransferStatements {
  const { lockTimeoutMs } = opts;
  const claimOne = (id: string) => claimTransfer(pool, id, { lockTimeoutMs });
  const settleOne = (s: { id: string; chargeId: string }) => settleTransfer(pool, s.id, s.chargeId);
  if (!opts.batch) return { claim: claimOne, settle: (id, chargeId) => settleOne({ id, chargeId }) };

  const observed = (statement: 'claim' | 'settle') => ({
    onStatement: (size: number) => statementSize.observe({ statement }, size),
    onFallback: (err: unknown, size: number) => {
      fallbacks.inc({ statement });
      opts.log.warn(
        { statement, size, err: (err as Error).message },
        'statement of many failed; each runs alone',
      );
    },
  });
  const claims = new StatementBatcher<string, TransferClaim | null>({
    maxBatch: opts.batch.max,
    key: (id) => id.toLowerCase(),
    one: claimOne,
    many: (ids) => claimTransfers(pool, ids, { lockTimeoutMs }),
    ...observed('claim'),
  });
  const settles = new StatementBatcher<{ id: string; chargeId: string }, boolean>({
    maxBatch: opts.batch.max,
    key: (s) => s.id.toLowerCase(),
    one: settleOne,
    many: (items) => settleTransfers(pool, items, { lockTimeoutMs }),
    ...observed('settle'),
  });
  return { claim: (id) => claims.run(id), settle: (id, chargeId) => settles.run({ id, chargeId }) };
}
