import { describe, expect, it } from 'vitest';
import { LocalWindow } from './local-window.ts';

describe('LocalWindow (the in-process fallback)', () => {
  const rule = { limit: 3, windowMs: 1_000 };

  it('admits `limit` per window and says when room comes back', () => {
    let now = 10_000;
    const w = new LocalWindow(() => now);
    const decisions = [0, 100, 200, 300].map((t) => {
      now = 10_000 + t;
      return w.decide('u', rule);
    });
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([2, 1, 0, 0]);
    // The first admission (t=0) leaves the window at t=1000.
    expect(decisions[3]?.retryAfterMs).toBe(700);
    now = 10_999;
    expect(w.decide('u', rule).allowed).toBe(false);
    now = 11_000;
    expect(w.decide('u', rule).allowed).toBe(true);
    w.close();
  });

  it('slides: a burst at the end of one window and the start of the next is still `limit` per window', () => {
    let now = 0;
    const w = new LocalWindow(() => now);
    now = 900;
    expect([1, 2, 3, 4].map(() => w.decide('u', rule).allowed)).toEqual([true, true, true, false]);
    now = 1_100; // a fixed window would have reset at 1000 and admitted three more
    expect(w.decide('u', rule).allowed).toBe(false);
    now = 1_900;
    expect([1, 2, 3, 4].map(() => w.decide('u', rule).allowed)).toEqual([true, true, true, false]);
    w.close();
  });

  it('counts each key on its own', () => {
    const w = new LocalWindow(() => 0);
    expect(w.decide('a', { limit: 1, windowMs: 1_000 }).allowed).toBe(true);
    expect(w.decide('b', { limit: 1, windowMs: 1_000 }).allowed).toBe(true);
    expect(w.decide('a', { limit: 1, windowMs: 1_000 }).allowed).toBe(false);
    w.close();
  });
});
