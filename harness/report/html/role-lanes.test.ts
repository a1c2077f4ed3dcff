import { describe, expect, it } from 'vitest';
import { noPrimaryBands, primaryChart } from './role-lanes.ts';

const roles = [
  { member: 'pg-1', role: 'primary' as const, from: 1_000, to: 4_000 },
  { member: 'pg-1', role: 'down' as const, from: 4_250, to: 9_000 },
  { member: 'pg-2', role: 'standby' as const, from: 1_000, to: 13_750 },
  { member: 'pg-2', role: 'primary' as const, from: 14_000, to: 20_000 },
];

describe('role lanes', () => {
  it('draws each member at its lane while primary, and nothing otherwise', () => {
    const [chart] = primaryChart(roles, 0, 20);
    expect(chart?.series.map((s) => s.label)).toEqual(['pg-1 primary', 'pg-2 primary']);
    const at = (t: number) => chart?.x.indexOf(t) ?? -1;
    expect(chart?.series[0]?.values[at(2)]).toBe(1);
    expect(chart?.series[0]?.values[at(5)]).toBeNull();
    expect(chart?.series[1]?.values[at(15)]).toBe(2);
    expect(primaryChart([], 0, 20)).toEqual([]);
  });

  it('shades the stretch in which no member was primary', () => {
    expect(noPrimaryBands(roles)).toEqual([{ from: 4, to: 14, label: 'no primary' }]);
  });
});
