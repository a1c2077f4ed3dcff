import type { CheckResult } from '../core/check-result.ts';
import type { RoleInterval } from '../core/role-timeline.ts';

/**
 * While `member` (the primary) was cut off, between `from` and `to`, another member became primary: the
 * cluster elected a new leader instead of waiting for the old one. Without it, a cut-off primary that
 * stops committing (as it must) leaves the service with no primary until the cut heals.
 */
export function standbyPromoted(
  intervals: readonly RoleInterval[],
  opts: { member: string; from: number; to: number },
): CheckResult {
  const promoted = intervals.find(
    (i) => i.role === 'primary' && i.member !== opts.member && i.to >= opts.from && i.from <= opts.to,
  );
  const electedAfterMs = promoted ? Math.max(0, Math.round(promoted.from - opts.from)) : -1;
  return {
    name: 'standby-promoted',
    description: 'While the primary was cut off, a standby was promoted in its place.',
    valid: promoted !== undefined,
    errorCount: promoted ? 0 : 1,
    ...(promoted
      ? {}
      : {
          first: {
            member: opts.member,
            cutFrom: opts.from,
            cutTo: opts.to,
            primaries: intervals.filter((i) => i.role === 'primary'),
          },
        }),
    figures: { elected_after_ms: electedAfterMs },
  };
}
