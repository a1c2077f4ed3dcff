import type { CheckResult } from '../core/check-result.ts';
import type { Completed } from '../core/history.ts';
import { ErrorExamples } from './error-examples.ts';
import { responseStatus } from './response.ts';

/**
 * Every read of the given kinds invoked inside the window got a real answer: 200, or an `accepted`
 * status (a balance read's 429 is the limiter answering, not the read failing). Timeouts, dropped
 * connections and 5xx are errors. At least one read must have been asked, or the check proves nothing.
 */
export function readsAnswered(
  ops: Completed[],
  opts: {
    name: string;
    description: string;
    reads: string[];
    window?: { from: number; to: number };
    accepted?: number[];
  },
): CheckResult {
  const accepted = new Set([200, ...(opts.accepted ?? [])]);
  const errors = new ErrorExamples<{ f: string; invokedAt: number; status: number | null; error?: string }>();
  let asked = 0;
  let answered = 0;
  for (const op of ops) {
    if (!opts.reads.includes(op.f)) continue;
    if (opts.window && (op.invokedAt < opts.window.from || op.invokedAt > opts.window.to)) continue;
    asked++;
    const status = responseStatus(op) ?? null;
    if (status !== null && accepted.has(status)) {
      answered++;
      continue;
    }
    errors.add({ f: op.f, invokedAt: op.invokedAt, status, ...(op.error ? { error: op.error } : {}) });
  }
  if (asked === 0)
    errors.add({
      f: opts.reads.join('|'),
      invokedAt: opts.window?.from ?? 0,
      status: null,
      error: 'no read asked',
    });
  return errors.result({ name: opts.name, description: opts.description, figures: { asked, answered } });
}
