import { describe, expect, it } from 'vitest';
import { limitedCleanly } from './limited-cleanly.ts';
import { queriesBounded } from './queries-bounded.ts';
import { certainPeak, rateLimitHeld } from './rate-limit-held.ts';
import { op } from './test-fixtures.ts';

const admitted = (at: number, until = at + 5) => op('balance-read', { at, until, status: 200 });
const limited = (
  at: number,
  headers: Record<string, string> = {
    'retry-after': '1',
    'ratelimit-limit': '3',
    'ratelimit-remaining': '0',
  },
) => ({
  ...op('balance-read', { at, type: 'fail' }),
  response: { status: 429, body: { code: 'rate_limited' }, headers },
});

describe('certainPeak', () => {
  it('counts only admissions whose whole interval lies inside one window', () => {
    // Three quick admissions, and a fourth whose answer took so long it may have been decided later.
    const ops = [0, 10, 20].map((t) => ({ invokedAt: t, completedAt: t + 5 }));
    expect(certainPeak([...ops, { invokedAt: 30, completedAt: 2_000 }], 1_000).peak).toBe(3);
    expect(certainPeak([...ops, { invokedAt: 30, completedAt: 40 }], 1_000).peak).toBe(4);
  });
});

describe('rateLimitHeld', () => {
  it('passes a limiter that admits `limit` per window', () => {
    const ops = [0, 10, 20, 1_005, 1_010, 1_020, 2_010].map((t) => admitted(t));
    const r = rateLimitHeld([...ops, limited(30), limited(40)], {
      f: 'balance-read',
      limit: 3,
      windowMs: 1_000,
    });
    expect(r).toMatchObject({ name: 'rate-limit-held', valid: true });
    expect(r.figures).toEqual({ asked: 9, admitted: 7, limited: 2, peak_admitted_in_window: 3, limit: 3 });
  });

  it('fails a burst past the limit inside one window', () => {
    const r = rateLimitHeld(
      [0, 1, 2, 3, 4, 5].map((t) => admitted(t)),
      { f: 'balance-read', limit: 3, windowMs: 1_000 },
    );
    expect(r).toMatchObject({ valid: false, errorCount: 3, first: { admittedInWindow: 6, limit: 3 } });
  });

  it('does not flag admissions that only look close because answers were slow', () => {
    const r = rateLimitHeld(
      [0, 100, 200, 300].map((t) => admitted(t, t + 1_500)),
      { f: 'balance-read', limit: 3, windowMs: 1_000 },
    );
    expect(r.valid).toBe(true);
  });
});

describe('limitedCleanly', () => {
  it('accepts 200s and clean 429s', () => {
    expect(limitedCleanly([admitted(0), limited(1)], { f: 'balance-read' })).toMatchObject({
      valid: true,
      figures: { refused_cleanly: 1 },
    });
  });

  it('flags a 5xx, a timeout and a 429 without Retry-After', () => {
    const r = limitedCleanly(
      [
        { ...op('balance-read', { at: 1, type: 'info' }), response: { status: 503, body: {} } },
        op('balance-read', { at: 2, type: 'info' }),
        limited(3, { 'ratelimit-limit': '3', 'ratelimit-remaining': '0' }),
      ],
      { f: 'balance-read' },
    );
    expect(r).toMatchObject({ valid: false, errorCount: 3 });
    expect(r.last).toMatchObject({ problem: 'a 429 without a Retry-After of at least 1 s' });
  });
});

describe('queriesBounded', () => {
  const base = { admitted: 80, asked: 5_000, limit: 10, windowMs: 1_000, durationMs: 8_000 };
  it('passes when queries stay at or under the admitted count and the limit over time', () => {
    expect(queriesBounded({ ...base, queries: 60 })).toMatchObject({ valid: true, figures: { bound: 80 } });
  });
  it('fails when queries exceed what the limit admits', () => {
    expect(queriesBounded({ ...base, admitted: 400, queries: 300 })).toMatchObject({
      valid: false,
      errorCount: 210,
      figures: { bound: 90 },
    });
  });
});
