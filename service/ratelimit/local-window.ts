import type { Decision, Rule } from './rules.ts';

/** How often windows that have emptied are forgotten, so memory follows active users only. */
const SWEEP_MS = 10_000;

/**
 * The in-process sliding window: the same rule as sliding-window-1.lua, counted in this process only.
 * The rate limiter's fallback while the cache Redis is unreachable.
 */
export class LocalWindow {
  readonly #admitted = new Map<string, number[]>();
  readonly #timer: NodeJS.Timeout;
  #longestWindowMs = 0;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.#timer = setInterval(() => this.#sweep(), SWEEP_MS);
    this.#timer.unref();
  }

  /** Admits and records the request when fewer than `limit` were admitted in the last window. */
  decide(key: string, rule: Rule): Decision {
    const now = this.now();
    this.#longestWindowMs = Math.max(this.#longestWindowMs, rule.windowMs);
    const times = (this.#admitted.get(key) ?? []).filter((t) => t > now - rule.windowMs);
    const base = { limit: rule.limit, windowMs: rule.windowMs };
    if (times.length < rule.limit) {
      times.push(now);
      this.#admitted.set(key, times);
      const resetMs = Math.ceil((times[0] as number) + rule.windowMs - now);
      return { ...base, allowed: true, remaining: rule.limit - times.length, retryAfterMs: 0, resetMs };
    }
    this.#admitted.set(key, times);
    const freeing = times[times.length - rule.limit] as number;
    const retryAfterMs = Math.max(1, Math.ceil(freeing + rule.windowMs - now));
    return { ...base, allowed: false, remaining: 0, retryAfterMs, resetMs: retryAfterMs };
  }

  close(): void {
    clearInterval(this.#timer);
  }

  #sweep(): void {
    const horizon = this.now() - this.#longestWindowMs;
    for (const [key, times] of this.#admitted) {
      if ((times[times.length - 1] ?? 0) <= horizon) this.#admitted.delete(key);
    }
  }
}
