import type { CheckResult } from '../core/check-result.ts';
import type { Completed } from '../core/history.ts';
import { ErrorExamples } from './error-examples.ts';

/** What Postgres logged as ERROR for lock conflicts it had to break (its log, read after the run). */
export interface ConflictLog {
  /** `ERROR: deadlock detected` lines (SQLSTATE 40P01). */
  deadlocks: string[];
  /** `ERROR: could not serialize access …` lines (SQLSTATE 40001). */
  serializationFailures: string[];
}

/**
 * Postgres never had to break a deadlock: every path that locks several rows takes them in one order
 * (accounts by id; a transfer row before its account row). Serialization failures are reported, not
 * errors: at READ COMMITTED none are expected, and they are retried like deadlocks when they come.
 */
export function noDeadlocks(log: ConflictLog): CheckResult {
  const errors = new ErrorExamples<{ line: string }>();
  for (const line of log.deadlocks) errors.add({ line });
  return errors.result({
    name: 'no-deadlocks',
    description:
      'Postgres detected no deadlock: accounts are locked in id order and a transfer row before its account, everywhere.',
    figures: { deadlocks: log.deadlocks.length, serializationFailures: log.serializationFailures.length },
  });
}

/**
 * Every money operation a client asked for was answered (201, or 422 insufficient_funds): no deadlock,
 * serialization failure, exhausted retry or 500 reached a client, whatever Postgres had to retry inside.
 */
export function answeredThroughContention(ops: Completed[], fs: readonly string[]): CheckResult {
  const errors = new ErrorExamples<{ f: string; type: string; error?: string; request: unknown }>();
  let answered = 0;
  for (const op of ops) {
    if (!fs.includes(op.f)) continue;
    if (op.type === 'ok') answered++;
    else
      errors.add({ f: op.f, type: op.type, ...(op.error ? { error: op.error } : {}), request: op.request });
  }
  return errors.result({
    name: 'no-deadlock-reaches-client',
    description:
      'Every transfer, payout and recon run asked for during the contention was answered: no deadlock, conflict or 500 reached a client.',
    figures: { answered },
  });
}
