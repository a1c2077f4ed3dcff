import { describe, expect, it } from 'vitest';
import { loadsPerExpiry } from './loads-per-expiry.ts';

describe('loadsPerExpiry', () => {
  it('passes when every expiry cost one load', () => {
    const r = loadsPerExpiry([
      { round: 1, reads: 1_000, loads: 1 },
      { round: 2, reads: 1_000, loads: 1 },
    ]);
    expect(r).toMatchObject({ name: 'one-load-per-expiry', valid: true, errorCount: 0 });
    expect(r.figures).toEqual({ rounds: 2, reads_per_round: 1_000, loads_per_expiry_max: 1, loads: 2 });
  });

  it('flags a stampede (many loads) and a missed load alike, the stampede as worst', () => {
    const r = loadsPerExpiry([
      { round: 1, reads: 1_000, loads: 37 },
      { round: 2, reads: 1_000, loads: 0 },
      { round: 3, reads: 1_000, loads: 1 },
    ]);
    expect(r).toMatchObject({ valid: false, errorCount: 2, figures: { loads_per_expiry_max: 37 } });
    expect(r.worst).toMatchObject({ round: 1, loads: 37, expected: 1 });
    expect(r.last).toMatchObject({ round: 2, loads: 0 });
  });
});
