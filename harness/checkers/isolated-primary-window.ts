import type { CheckResult } from '../core/check-result.ts';
import { ErrorExamples } from './error-examples.ts';

/** One commit tried on the cut-off primary directly: when it began and when it was acknowledged (or not). */
export interface DirectCommit {
  invokedAt: number;
  /** null: never acknowledged (it hung, failed, or the run ended first). */
  acknowledgedAt: number | null;
}

/**
 * A primary cut off from its lock store (etcd) and its standbys stops acknowledging commits within the
 * lock's lifetime (`ttlMs`): past that a standby may be promoted, and whatever the old primary still
 * acknowledged would be thrown away when it rejoins. With synchronous replication the window is about
 * zero (a commit waits for a standby it cannot reach); asynchronous, it lasts until the agent demotes it.
 * The window is measured from the cut to the last commit acknowledged on the cut-off member.
 */
export function isolatedPrimaryWindow(
  commits: readonly DirectCommit[],
  opts: { cutAt: number; ttlMs: number },
): CheckResult {
  const deadline = opts.cutAt + opts.ttlMs;
  const errors = new ErrorExamples<{ invokedAt: number; acknowledgedAt: number; afterCutMs: number }>();
  let lastAck = Number.NEGATIVE_INFINITY;
  let afterCut = 0;
  for (const c of commits) {
    if (c.acknowledgedAt === null) continue;
    lastAck = Math.max(lastAck, c.acknowledgedAt);
    if (c.acknowledgedAt > opts.cutAt) afterCut++;
    if (c.acknowledgedAt > deadline) {
      const afterCutMs = c.acknowledgedAt - opts.cutAt;
      errors.add(
        { invokedAt: c.invokedAt, acknowledgedAt: c.acknowledgedAt, afterCutMs },
        { score: afterCutMs },
      );
    }
  }
  const windowMs = Math.max(0, lastAck - opts.cutAt);
  return errors.result({
    name: 'isolated-primary-window',
    description:
      'The primary cut off from etcd and its standbys acknowledged no commit later than the leader lock’s TTL after the cut.',
    figures: {
      commits_tried: commits.length,
      acknowledged_after_cut: afterCut,
      commit_window_ms: Number.isFinite(windowMs) ? Math.round(windowMs) : 0,
      ttl_ms: opts.ttlMs,
    },
  });
}
