import type { CheckResult } from '../core/check-result.ts';
import type { Completed } from '../core/history.ts';
import { ErrorExamples } from './error-examples.ts';
import { field, responseBody, responseStatus } from './response.ts';

/**
 * Every request of kind `f` was either admitted (200) or refused cleanly: 429 with code `rate_limited`,
 * a Retry-After of at least one second and the RateLimit headers. Never a 5xx, a timeout or a bare 429.
 */
export function limitedCleanly(ops: Completed[], { f }: { f: string }): CheckResult {
  const errors = new ErrorExamples<{ invokedAt: number; status: number | null; problem: string }>();
  let refused = 0;
  for (const op of ops) {
    if (op.f !== f) continue;
    const status = responseStatus(op) ?? null;
    if (status === 200) continue;
    const headers = (field(op.response, 'headers') ?? {}) as Record<string, string>;
    const problem =
      status !== 429
        ? `answered ${status ?? op.error ?? 'nothing'}`
        : field(responseBody(op), 'code') !== 'rate_limited'
          ? 'a 429 without code rate_limited'
          : !(Number(headers['retry-after']) >= 1)
            ? 'a 429 without a Retry-After of at least 1 s'
            : headers['ratelimit-limit'] === undefined || headers['ratelimit-remaining'] !== '0'
              ? 'a 429 without RateLimit-Limit and RateLimit-Remaining: 0'
              : null;
    if (problem) errors.add({ invokedAt: op.invokedAt, status, problem });
    else refused++;
  }
  return errors.result({
    name: 'limited-cleanly',
    description:
      'Every refused request got 429 rate_limited with Retry-After and RateLimit headers; nothing failed.',
    figures: { refused_cleanly: refused },
  });
}
