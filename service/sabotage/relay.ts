import type { JobsOptions } from 'bullmq';
import type { Config } from '../config.ts';
import { sql } from '../db/sql.ts';
import { payoutJobId, payoutJobOptions } from '../queue/queues.ts';
import type { RelayDeps } from '../relay/relay.ts';
import { brokenSql } from './sql.ts';

/** A fixed, tiny backoff: the job comes straight back, over and over. */
const HOT_RETRY_MS = 10;

/**
 * `unbounded-retries`: the options the relay publishes payout jobs with, without an attempt limit and
 * without a backoff to speak of, so a job that always fails never reaches the dead-letter queue and
 * keeps a worker busy forever.
 */
export function unboundedRetries(config: Config): (jobId: string) => JobsOptions {
  return (jobId) => ({
    ...payoutJobOptions(config, jobId),
    attempts: Number.MAX_SAFE_INTEGER,
    backoff: { type: 'fixed', delay: HOT_RETRY_MS },
  });
}

/**
 * `relay-holds-locks`: a batch published in one transaction that locks its rows (FOR UPDATE) and stays
 * open through addBulk. Once the jobs are out, workers claim those rows and wait on the locks for as long
 * as the relay takes to commit: forever, as far as it is concerned, when it is paused mid-publish.
 */
export async function publishHoldingLocks(deps: RelayDeps): Promise<number> {
  const client = await deps.pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ id: string }>(brokenSql('outbox-claim-locking'), [deps.batch]);
    if (rows.length > 0) {
      await deps.queue.addBulk(
        rows.map((r) => ({
          name: 'payout',
          data: { transferId: r.id },
          opts: deps.jobOptions(payoutJobId(r.id)),
        })),
      );
      await client.query(sql('outbox-mark-published'), [rows.map((r) => r.id)]);
    }
    await client.query('COMMIT');
    return rows.length;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
