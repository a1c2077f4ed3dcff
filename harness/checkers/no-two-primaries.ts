import type { CheckResult } from '../core/check-result.ts';
import type { RoleInterval } from '../core/role-timeline.ts';
import { ErrorExamples } from './error-examples.ts';

/**
 * No two members accepted writes at the same time (split brain). Each member was asked directly, over
 * and over; an overlap is two members each seen primary at some moment inside the other's primary
 * interval. Seen by polling, a demotion and a promotion closer together than one poll would both be
 * missed, so this bounds an overlap to below one poll, not to zero.
 */
export function noTwoPrimaries(intervals: readonly RoleInterval[]): CheckResult {
  const primaries = intervals.filter((i) => i.role === 'primary');
  const errors = new ErrorExamples<{ members: [string, string]; from: number; to: number }>();
  let overlapMs = 0;
  for (let a = 0; a < primaries.length; a++) {
    for (let b = a + 1; b < primaries.length; b++) {
      const x = primaries[a] as RoleInterval;
      const y = primaries[b] as RoleInterval;
      if (x.member === y.member) continue;
      const from = Math.max(x.from, y.from);
      const to = Math.min(x.to, y.to);
      if (from > to) continue;
      overlapMs += to - from;
      errors.add({ members: [x.member, y.member], from, to }, { score: to - from });
    }
  }
  const members = new Set(primaries.map((p) => p.member));
  return errors.result({
    name: 'no-two-primaries',
    description: 'No two members accepted writes at once: each was primary only while no other was.',
    figures: { primary_intervals: primaries.length, members_primary: members.size, overlap_ms: overlapMs },
  });
}
