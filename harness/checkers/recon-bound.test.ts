import { describe, expect, it } from 'vitest';
import { reconBound } from './recon-bound.ts';

describe('reconBound', () => {
  it('accepts samples at or under the bound', () => {
    const result = reconBound(
      [
        { time: 0, waiting: 0 },
        { time: 100, waiting: 50 },
        { time: 200, waiting: 12 },
      ],
      50,
    );
    expect(result).toMatchObject({ name: 'recon-bound', valid: true, errorCount: 0 });
    expect(result.figures).toEqual({ peak: 50, bound: 50, samples: 3 });
  });

  it('flags every sample over the bound, the peak as worst', () => {
    const result = reconBound(
      [
        { time: 0, waiting: 51 },
        { time: 100, waiting: 80 },
        { time: 200, waiting: 10 },
        { time: 300, waiting: 60 },
      ],
      50,
    );
    expect(result).toMatchObject({ valid: false, errorCount: 3, figures: { peak: 80 } });
    expect(result.first).toEqual({ time: 0, waiting: 51, bound: 50 });
    expect(result.worst).toEqual({ time: 100, waiting: 80, bound: 50 });
    expect(result.last).toEqual({ time: 300, waiting: 60, bound: 50 });
  });
});
