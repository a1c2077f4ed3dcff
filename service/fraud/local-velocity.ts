import { type FraudRules, HISTORY_LENGTH, type HoldReason, judge } from './rules.ts';

/** How often windows that have emptied are forgotten, so memory follows active users only. */
const SWEEP_MS = 60_000;

interface Entry {
  at: number;
  member: string;
  amount: number;
}

/**
 * The fraud rules in this process only: the fallback while the cache Redis is unreachable. The same
 * decision as velocity-3.lua (judge()), but each API process keeps its own window, so a user gets at
 * most (processes × the limits) through, and the anomaly rule knows only what this process saw.
 */
export class LocalVelocity {
  readonly #windows = new Map<string, { entries: Entry[]; history: number[]; lastAt: number }>();
  readonly #timer: NodeJS.Timeout;
  #windowMs = 0;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.#timer = setInterval(() => this.#sweep(), SWEEP_MS);
    this.#timer.unref();
  }

  check(
    key: string,
    payout: { amount: number; currency: string; member: string },
    rules: FraudRules,
  ): HoldReason | null {
    const now = this.now();
    this.#windowMs = Math.max(this.#windowMs, rules.windowMs);
    const w = this.#windows.get(key) ?? { entries: [], history: [], lastAt: now };
    w.entries = w.entries.filter((e) => e.at > now - rules.windowMs);
    w.lastAt = now;
    this.#windows.set(key, w);
    const sum = w.entries.reduce((s, e) => s + e.amount, 0);
    const hold = judge({ count: w.entries.length, sum, history: w.history }, payout, rules);
    if (hold) return hold;
    w.entries.push({ at: now, member: payout.member, amount: payout.amount });
    w.history = [payout.amount, ...w.history].slice(0, HISTORY_LENGTH);
    return null;
  }

  forget(key: string, payout: { amount: number; member: string }): void {
    const w = this.#windows.get(key);
    if (!w) return;
    w.entries = w.entries.filter((e) => e.member !== payout.member);
    const i = w.history.indexOf(payout.amount);
    if (i >= 0) w.history.splice(i, 1);
  }

  close(): void {
    clearInterval(this.#timer);
  }

  #sweep(): void {
    const horizon = this.now() - this.#windowMs;
    for (const [key, w] of this.#windows) if (w.lastAt <= horizon) this.#windows.delete(key);
  }
}
