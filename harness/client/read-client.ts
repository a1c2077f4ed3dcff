import type { Outcome } from '../core/history.ts';

/** Headers the checkers read from rate-limited routes. */
const RECORDED_HEADERS = ['retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'];

/** Refusals that certainly changed nothing: bad input, auth, not found, and 429 `rate_limited`. */
const DEFINITE_FAILURES = new Set([
  'invalid_request',
  'unauthorized',
  'forbidden',
  'account_not_found',
  'profile_not_found',
  'rate_limited',
]);

/**
 * The harness's client of the API's read side and profiles (the cache and rate-limiter routes): each
 * call becomes an Outcome whose value is `{ status, body, headers }`. 2xx is `ok`; refusals that
 * certainly changed nothing (4xx with a known code, 429 included) are `fail`; anything else is `info`.
 */
export class ReadClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 10_000,
  ) {}

  /** GET /v1/profile: the caller's own profile. */
  profile(apiKey: string): Promise<Outcome> {
    return this.send('GET', '/v1/profile', apiKey);
  }

  /** GET /v1/profiles/:userId: anyone's public profile. */
  publicProfile(apiKey: string, userId: string): Promise<Outcome> {
    return this.send('GET', `/v1/profiles/${userId}`, apiKey);
  }

  /** PATCH /v1/profile. */
  updateProfile(apiKey: string, patch: Record<string, unknown>): Promise<Outcome> {
    return this.send('PATCH', '/v1/profile', apiKey, patch);
  }

  /** GET /v1/accounts/:id: a live balance. */
  balance(apiKey: string, accountId: string): Promise<Outcome> {
    return this.send('GET', `/v1/accounts/${accountId}`, apiKey);
  }

  private async send(method: string, path: string, apiKey: string, body?: unknown): Promise<Outcome> {
    const call = () =>
      fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    let res: Response;
    try {
      res = await call().catch((err: Error) => {
        // A GET is idempotent: retried once when a kept-alive connection was closed by the server just
        // as it was reused (its 5 s idle timeout), before any answer, as HTTP clients do (RFC 9110 9.2.2).
        if (method === 'GET' && /other side closed|ECONNRESET/.test(String(err.cause ?? err.message)))
          return call();
        throw err;
      });
    } catch (err) {
      const e = err as Error;
      return { type: 'info', value: null, error: e.cause ? String(e.cause) : e.message };
    }
    const text = await res.text().catch(() => '');
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    const headers: Record<string, string> = {};
    for (const h of RECORDED_HEADERS) {
      const v = res.headers.get(h);
      if (v !== null) headers[h] = v;
    }
    const value = { status: res.status, body: parsed, headers };
    if (res.status < 300) return { type: 'ok', value };
    const code = (parsed as { code?: string } | null)?.code ?? '';
    if (DEFINITE_FAILURES.has(code)) return { type: 'fail', value, error: code };
    return { type: 'info', value, error: code || `HTTP ${res.status}` };
  }
}
