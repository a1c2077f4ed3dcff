import type { CheckResult } from '../core/check-result.ts';

/**
 * Collects a checker's errors as Jepsen reports them: a count and three examples (first, worst, last),
 * without keeping every error, so a checker over a million-op history stays small.
 */
export class ErrorExamples<E> {
  private count = 0;
  private first: E | undefined;
  private last: E | undefined;
  private worst: E | undefined;
  private worstScore = Number.NEGATIVE_INFINITY;

  /** Records one error; `score` ranks it for `worst` (ties keep the earlier), `count` weighs it. */
  add(error: E, { score = 0, count = 1 }: { score?: number; count?: number } = {}): void {
    if (this.count === 0) this.first = error;
    this.last = error;
    if (score > this.worstScore) {
      this.worst = error;
      this.worstScore = score;
    }
    this.count += count;
  }

  /** The CheckResult: valid when no error was added. */
  result(check: { name: string; description: string; figures?: Record<string, number> }): CheckResult {
    const result: CheckResult = { ...check, valid: this.count === 0, errorCount: this.count };
    if (this.count > 0) {
      result.first = this.first;
      result.worst = this.worst;
      result.last = this.last;
    }
    return result;
  }
}
