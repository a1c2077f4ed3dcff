import type { CheckResult } from '../core/check-result.ts';
import { ErrorExamples } from './error-examples.ts';

/**
 * One look at the database: the sessions then waiting on a lock held by a transaction left idle mid-way
 * (its client paused, or off on a network call while holding it), and who they are.
 */
export interface BlockedSample {
  /** ms on the history's clock. */
  at: number;
  blocked: number;
  /** application_name of each blocked session. */
  who: string[];
}

/**
 * No session waited on a lock held by an idle transaction, in any sample taken through the fault: a
 * worker's claim of a transfer never queued behind a process that stopped mid-transaction. Needs
 * samples: an unwatched fault proves nothing.
 */
export function neverBlocked(samples: readonly BlockedSample[]): CheckResult {
  const errors = new ErrorExamples<BlockedSample>();
  let blockedMax = 0;
  for (const s of samples) {
    blockedMax = Math.max(blockedMax, s.blocked);
    if (s.blocked > 0) errors.add(s, { score: s.blocked });
  }
  if (samples.length === 0) errors.add({ at: 0, blocked: 0, who: ['no sample taken'] });
  return errors.result({
    name: 'claims-never-blocked',
    description:
      "No session — a worker's claim above all — waited on a row lock held by a transaction left idle mid-way (its process paused, or off on a call to Redis), in any sample taken through the pause.",
    figures: { samples: samples.length, blocked_sessions_max: blockedMax },
  });
}
