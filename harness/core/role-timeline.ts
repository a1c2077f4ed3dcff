/**
 * Which member of a replicated store held which role over a run, as the runner saw it by asking each
 * member directly (ms since the run started, like the history). A member is `primary` while it accepts
 * writes (PostgreSQL: not in recovery), `down` while it does not answer.
 */
export type MemberRole = 'primary' | 'standby' | 'down';

/** One stretch of one role: first and last moment it was seen so, without another answer in between. */
export interface RoleInterval {
  member: string;
  role: MemberRole;
  from: number;
  to: number;
}

/** One answer of the watcher. */
export interface RoleSample {
  t: number;
  member: string;
  role: MemberRole;
}

/** Joins consecutive samples of the same member and role into intervals, in the order they began. */
export function roleIntervals(samples: readonly RoleSample[]): RoleInterval[] {
  const open = new Map<string, RoleInterval>();
  const done: RoleInterval[] = [];
  for (const s of [...samples].sort((a, b) => a.t - b.t)) {
    const current = open.get(s.member);
    if (current && current.role === s.role) {
      current.to = s.t;
      continue;
    }
    if (current) done.push(current);
    open.set(s.member, { member: s.member, role: s.role, from: s.t, to: s.t });
  }
  return [...done, ...open.values()].sort((a, b) => a.from - b.from);
}
