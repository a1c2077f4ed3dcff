import { describe, expect, it } from 'vitest';
import { jitteredBackoff } from './backoff.ts';

describe('jitteredBackoff', () => {
  it('doubles per attempt and adds at most 50% jitter', () => {
    const low = jitteredBackoff(100, () => 0);
    const high = jitteredBackoff(100, () => 0.999);
    expect([1, 2, 3, 4].map(low)).toEqual([100, 200, 400, 800]);
    expect(high(3)).toBeGreaterThan(400);
    expect(high(3)).toBeLessThanOrEqual(600);
  });
});
