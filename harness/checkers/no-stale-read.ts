import type { CheckResult } from '../core/check-result.ts';
import type { Completed } from '../core/history.ts';
import { ErrorExamples } from './error-examples.ts';
import { field, responseBody } from './response.ts';

interface StaleRead {
  userId: string;
  readInvokedAt: number;
  readVersion: number;
  /** The newest version acknowledged before the read was asked for. */
  acknowledgedVersion: number;
  acknowledgedAt: number;
}

const versionOf = (op: Completed): number | undefined => {
  const v = field(responseBody(op), 'version');
  return typeof v === 'number' ? v : undefined;
};
const userOf = (op: Completed): string | undefined => {
  const u = field(op.request, 'userId');
  return typeof u === 'string' ? u : undefined;
};

/**
 * No read returns a version older than one whose update was acknowledged before the read was invoked
 * (read-your-acknowledged-writes, for anyone). Updates that ended `info` may or may not have happened
 * and set no floor; reads that did not end `ok` saw nothing. Ops carry `userId` in their request and
 * `version` in their response body.
 */
export function noStaleRead(
  ops: Completed[],
  { update = 'profile-update', reads = ['profile-read'] }: { update?: string; reads?: string[] } = {},
): CheckResult {
  const acked = new Map<string, Array<{ at: number; version: number }>>();
  for (const op of ops) {
    const user = userOf(op);
    const version = versionOf(op);
    if (op.f !== update || op.type !== 'ok' || !user || version === undefined || op.completedAt === null)
      continue;
    const list = acked.get(user) ?? [];
    list.push({ at: op.completedAt, version });
    acked.set(user, list);
  }
  // Per user: acknowledgements in time order with the running maximum version.
  for (const list of acked.values()) {
    list.sort((a, b) => a.at - b.at);
    for (let i = 1; i < list.length; i++)
      list[i] = {
        ...(list[i] as { at: number; version: number }),
        version: Math.max(list[i]?.version ?? 0, list[i - 1]?.version ?? 0),
      };
  }
  const errors = new ErrorExamples<StaleRead>();
  let checked = 0;
  for (const op of ops) {
    if (!reads.includes(op.f) || op.type !== 'ok') continue;
    const user = userOf(op);
    const version = versionOf(op);
    const list = user ? acked.get(user) : undefined;
    if (!user || version === undefined || !list) continue;
    checked++;
    // The last acknowledgement strictly before the read was invoked.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((list[mid]?.at ?? 0) < op.invokedAt) lo = mid + 1;
      else hi = mid;
    }
    const floor = list[lo - 1];
    if (floor && version < floor.version) {
      errors.add(
        {
          userId: user,
          readInvokedAt: op.invokedAt,
          readVersion: version,
          acknowledgedVersion: floor.version,
          acknowledgedAt: floor.at,
        },
        { score: floor.version - version },
      );
    }
  }
  const updates = [...acked.values()].reduce((n, l) => n + l.length, 0);
  return errors.result({
    name: 'no-stale-profile',
    description:
      'No read returned a profile older than an update acknowledged before the read was asked for.',
    figures: { reads_checked: checked, acknowledged_updates: updates },
  });
}
