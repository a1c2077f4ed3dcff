import { describe, expect, it } from 'vitest';
import { jitteredTtlMs } from './ttl.ts';

describe('jitteredTtlMs', () => {
  it('adds between 0 and jitter × base', () => {
    expect(jitteredTtlMs(600_000, 0.1, () => 0)).toBe(600_000);
    expect(jitteredTtlMs(600_000, 0.1, () => 0.999_999)).toBe(659_999);
    for (let i = 0; i < 1_000; i++) {
      const ttl = jitteredTtlMs(300_000, 0.1);
      expect(ttl).toBeGreaterThanOrEqual(300_000);
      expect(ttl).toBeLessThan(330_000);
    }
  });

  it('spreads entries filled together', () => {
    const ttls = new Set(Array.from({ length: 100 }, () => jitteredTtlMs(600_000, 0.1)));
    expect(ttls.size).toBeGreaterThan(90);
  });

  it('is exact without jitter', () => {
    expect(jitteredTtlMs(1_000, 0)).toBe(1_000);
  });
});
