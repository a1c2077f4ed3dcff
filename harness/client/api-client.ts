import type { Outcome } from '../core/history.ts';

/** HTTP answers that certainly changed nothing (documented as such by the service's error codes). */
const DEFINITE_FAILURES = new Set([
  'invalid_request',
  'idempotency_key_missing',
  'unauthorized',
  'forbidden',
  'account_not_found',
  'payout_not_found',
  'idempotency_key_in_flight',
  'idempotency_key_reused',
  'insufficient_funds',
  'currency_mismatch',
  'rate_limited',
  'operator_only',
  'unsupported_media_type',
  'invalid_unicode',
  'payload_too_large',
  'lock_timeout',
  'conflict_retry_exhausted',
  'payout_deadline_exceeded',
  'payout_queue_full',
]);

export interface ApiAnswer {
  status: number;
  body: unknown;
}

/**
 * The harness's client of the payment API: turns each call into an Outcome. 2xx is `ok` (it happened);
 * a refusal that certainly changed nothing is `fail` — a 422 insufficient_funds included, although the
 * service stores it against the key like a success; anything else — a timeout, a dropped connection, a
 * 500, database_unavailable — is `info`: it may have happened.
 */
export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 10_000,
  ) {}

  payout(apiKey: string, idempotencyKey: string, body: Record<string, unknown>): Promise<Outcome> {
    return this.send('POST', '/v1/payouts', apiKey, body, { 'Idempotency-Key': idempotencyKey });
  }

  /** POST /v1/transfers: an internal transfer between two accounts, keyed. */
  transfer(apiKey: string, idempotencyKey: string, body: Record<string, unknown>): Promise<Outcome> {
    return this.send('POST', '/v1/transfers', apiKey, body, { 'Idempotency-Key': idempotencyKey });
  }

  /** POST /v1/accounts: opens an account of the caller's in `currency`. */
  openAccount(apiKey: string, currency: string): Promise<Outcome> {
    return this.send('POST', '/v1/accounts', apiKey, { currency });
  }

  /** POST /v1/accounts/:id/deposits: money into any account, with an operator's key. */
  deposit(
    operatorKey: string,
    idempotencyKey: string,
    accountId: string,
    body: { amount: number; currency: string },
  ): Promise<Outcome> {
    return this.send('POST', `/v1/accounts/${accountId}/deposits`, operatorKey, body, {
      'Idempotency-Key': idempotencyKey,
    });
  }

  account(apiKey: string, accountId: string): Promise<Outcome> {
    return this.send('GET', `/v1/accounts/${accountId}`, apiKey);
  }

  /** GET /readyz: true when the API answers ready (200). */
  async ready(): Promise<boolean> {
    try {
      const res = await fetch(`${this.baseUrl}/readyz`, { signal: AbortSignal.timeout(1_000) });
      await res.body?.cancel();
      return res.status === 200;
    } catch {
      return false;
    }
  }

  private async send(
    method: string,
    path: string,
    apiKey: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Outcome> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      return {
        type: 'info',
        value: null,
        error: (err as Error).cause ? String((err as Error).cause) : (err as Error).message,
      };
    }
    const text = await res.text().catch(() => '');
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    const value: ApiAnswer = { status: res.status, body: parsed };
    if (res.status < 300) return { type: 'ok', value };
    const code = (parsed as { code?: string } | null)?.code ?? '';
    if (DEFINITE_FAILURES.has(code)) return { type: 'fail', value, error: code };
    return { type: 'info', value, error: code || `HTTP ${res.status}` };
  }
}
