/**
 * Who was primary over a run (the failover scenarios' role watcher, result.json `roles`), as the
 * report draws it: one lane per member, drawn at its lane's height while that member was primary, and
 * the stretches in which no member was primary, shaded like the fault windows.
 */
import type { RoleInterval } from '../../core/role-timeline.ts';
import type { Chart, FaultBand } from './timelines.ts';

/** Resolution of the lanes: the watcher asks every member every 250 ms. */
const STEP_S = 0.25;
const LANE_COLORS = ['#2b6cb0', '#2a9d5c', '#b83280', '#d98c1f', '#4a5568'];

const round = (n: number) => Number(n.toFixed(3));

/** The primary lanes chart, or none when the run watched no roles. */
export function primaryChart(roles: readonly RoleInterval[], start: number, end: number): Chart[] {
  if (roles.length === 0) return [];
  const members = [...new Set(roles.map((r) => r.member))].sort();
  const n = Math.max(1, Math.ceil((end - start) / STEP_S));
  const x = Array.from({ length: n + 1 }, (_, i) => round(start + i * STEP_S));
  const series = members.map((member, lane) => {
    const primary = roles.filter((r) => r.member === member && r.role === 'primary');
    const values = x.map((t) =>
      primary.some((p) => p.from / 1000 <= t && t <= p.to / 1000) ? lane + 1 : null,
    );
    return { label: `${member} primary`, color: LANE_COLORS[lane % LANE_COLORS.length] as string, values };
  });
  return [
    {
      id: 'primary',
      title: `Which member was primary (lanes: ${members.map((m, i) => `${i + 1} ${m}`).join(', ')})`,
      unit: 'member lane',
      x,
      series,
      empty: 'No member was ever seen primary.',
    },
  ];
}

/**
 * The stretches in which no member was seen primary: from the last moment one was seen before a gap to
 * the first moment one was seen after it (the failovers, as clients lived them).
 */
export function noPrimaryBands(roles: readonly RoleInterval[]): FaultBand[] {
  const primaries = roles.filter((r) => r.role === 'primary').sort((a, b) => a.from - b.from);
  const bands: FaultBand[] = [];
  let coveredTo = primaries[0]?.to ?? 0;
  for (const p of primaries.slice(1)) {
    if (p.from > coveredTo)
      bands.push({ from: round(coveredTo / 1000), to: round(p.from / 1000), label: 'no primary' });
    coveredTo = Math.max(coveredTo, p.to);
  }
  return bands;
}
