import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { bankCallDuration, bankCalls } from '../metrics.ts';
import { type BankStats, type Charge, chargeSchema } from './charge.ts';
import type { Faults } from './faults.ts';
import { SIGNATURE_HEADER, sign } from './signature.ts';
import { ExchangeTimeout, keepAliveTransport, type Transport } from './transport.ts';

export type { BankStats, Charge } from './charge.ts';
export type { Faults } from './faults.ts';

/**
 * The outcome is unknown: a 5xx, a 504, a timeout, a refused or reset connection, a dropped
 * response. The charge may or may not have happened; only a lookup or a void can tell.
 */
export class BankUnavailable extends Error {
  constructor(
    message: string,
    /** Bounded, for metrics: why the outcome is unknown. */
    readonly reason: 'timeout' | 'unreachable' | 'server_error' | 'bad_response',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BankUnavailable';
  }
}

/** The bank refused the request for good (4xx, e.g. 400 invalid_request, 422 idempotency_key_reused). */
export class BankRejected extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'BankRejected';
  }
}

export interface ChargeResult {
  /** `voided`: the key was voided before, nothing was charged and nothing ever will be. */
  kind: 'charged' | 'declined' | 'voided';
  charge: Charge;
  /** The key had been used before; this is its first result again. */
  replayed: boolean;
}

interface Answer {
  status: number;
  header(name: string): string | undefined;
  body: unknown;
}

const chargeBody = z.object({ charge: chargeSchema });
const chargesBody = z.object({ charges: z.array(chargeSchema), next: z.string().nullish() });
const errorBody = z.object({
  code: z.string(),
  message: z.string().optional(),
  charge: chargeSchema.optional(),
});

/** The service's client for the bank: one method per bank operation, each timed and counted. */
export class BankClient {
  private readonly transport: Transport;
  private readonly timeoutMs: number;
  private readonly signingKey: string | undefined;

  /**
   * With `signingKey`, every request is signed (signature.ts), as a bank with that key requires; an
   * `https://` bank is trusted through `ca`. Connections are kept alive between calls; close() ends the
   * idle ones (they never hold a process open).
   */
  constructor(opts: { baseUrl: string; timeoutMs: number; signingKey?: string; ca?: string | Buffer }) {
    this.transport = keepAliveTransport(opts.baseUrl, { ca: opts.ca });
    this.timeoutMs = opts.timeoutMs;
    this.signingKey = opts.signingKey;
  }

  close(): void {
    this.transport.close();
  }

  /** Charges once per key; without a key the bank charges on every call. Throws BankUnavailable when the outcome is unknown. */
  charge(req: {
    key?: string;
    amount: number;
    currency: string;
    reference: string;
    destination?: string | null;
  }): Promise<ChargeResult> {
    return this.observe<ChargeResult>('charge', async () => {
      const { key, ...body } = req;
      const answer = await this.send('POST', '/v1/charges', {
        body,
        headers: key === undefined ? {} : { 'Idempotency-Key': key },
      });
      const replayed = answer.header('idempotent-replayed') === 'true';
      if (answer.status === 200 || answer.status === 201) {
        const { charge } = decode(chargeBody, answer);
        return [replayed ? 'replayed' : 'charged', { kind: 'charged', charge, replayed }];
      }
      const refusal = refusalOf(answer);
      if (answer.status === 402 && refusal.code === 'declined' && refusal.charge) {
        return ['declined', { kind: 'declined', charge: refusal.charge, replayed }];
      }
      if (answer.status === 409 && refusal.code === 'charge_voided' && refusal.charge) {
        return ['voided', { kind: 'voided', charge: refusal.charge, replayed: true }];
      }
      throw rejected(answer);
    });
  }

  /** The charge recorded under `key`, or null when the bank never saw that key. */
  lookup(key: string): Promise<Charge | null> {
    return this.observe<Charge | null>('lookup', async () => {
      const answer = await this.send('GET', `/v1/charges/${encodeURIComponent(key)}`);
      if (answer.status === 404) return ['not_found', null];
      return ['ok', decode(chargeBody, answer).charge];
    });
  }

  /** Forbids any later charge with `key`; returns the key's final record: voided, declined or charged. */
  void(key: string): Promise<Charge> {
    return this.observe('void', async () => {
      const answer = await this.send('POST', `/v1/charges/${encodeURIComponent(key)}/void`);
      if (answer.status === 409) {
        const refusal = refusalOf(answer);
        if (refusal.code === 'already_charged' && refusal.charge) return ['already_charged', refusal.charge];
      }
      const { charge } = decode(chargeBody, answer);
      return [charge.status, charge];
    });
  }

  /** Every charge (any status) the bank holds for one payer reference. */
  chargesFor(reference: string): Promise<Charge[]> {
    return this.observe('charges_for', async () => {
      const answer = await this.send('GET', `/v1/charges?reference=${encodeURIComponent(reference)}`);
      return ['ok', decode(chargesBody, answer).charges];
    });
  }

  /** Every charge in the bank, oldest first, fetched page by page. */
  async allCharges(opts: { pageSize?: number } = {}): Promise<Charge[]> {
    const pageSize = opts.pageSize ?? 10_000;
    const all: Charge[] = [];
    let after: string | null | undefined;
    do {
      const query = `limit=${pageSize}${after ? `&after=${encodeURIComponent(after)}` : ''}`;
      const page = await this.observe('list', async () => {
        const answer = await this.send('GET', `/v1/charges?${query}`);
        return ['ok', decode(chargesBody, answer)];
      });
      all.push(...page.charges);
      after = page.next;
    } while (after);
    return all;
  }

  stats(): Promise<BankStats> {
    return this.observe('stats', async () => {
      const answer = await this.send('GET', '/v1/stats');
      if (answer.status !== 200) throw rejected(answer);
      return ['ok', answer.body as BankStats];
    });
  }

  /** Replaces the bank's fault config: fields left out are switched off; no seed means the bank's own. */
  setFaults(faults: Partial<Faults>): Promise<void> {
    return this.observe('set_faults', async () => {
      const answer = await this.send('PUT', '/v1/faults', { body: faults });
      if (answer.status !== 200) throw rejected(answer);
      return ['ok', undefined];
    });
  }

  faults(): Promise<Faults> {
    return this.observe('get_faults', async () => {
      const answer = await this.send('GET', '/v1/faults');
      if (answer.status !== 200) throw rejected(answer);
      return ['ok', answer.body as Faults];
    });
  }

  private async observe<T>(operation: string, call: () => Promise<[outcome: string, value: T]>): Promise<T> {
    const stopTimer = bankCallDuration.startTimer({ operation });
    try {
      const [outcome, value] = await call();
      bankCalls.inc({ operation, outcome });
      return value;
    } catch (err) {
      bankCalls.inc({ operation, outcome: err instanceof BankUnavailable ? err.reason : 'rejected' });
      throw err;
    } finally {
      stopTimer();
    }
  }

  /** One HTTP exchange; every way of not getting a clear answer becomes BankUnavailable. */
  private async send(
    method: string,
    path: string,
    opts: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Answer> {
    const where = `${method} ${path}`;
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const headers: Record<string, string> = {
      ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      ...opts.headers,
    };
    if (this.signingKey)
      headers[SIGNATURE_HEADER] = sign(this.signingKey, {
        method,
        path,
        idempotencyKey: opts.headers?.['Idempotency-Key'],
        body: payload ?? '',
      });
    let response: Awaited<ReturnType<Transport['exchange']>>;
    try {
      response = await this.transport.exchange({
        method,
        path,
        headers,
        body: payload,
        timeoutMs: this.timeoutMs,
      });
    } catch (err) {
      const timedOut = err instanceof ExchangeTimeout;
      throw new BankUnavailable(
        timedOut ? `${where}: no answer within ${this.timeoutMs} ms` : `${where}: ${describe(err)}`,
        timedOut ? 'timeout' : 'unreachable',
        { cause: err },
      );
    }
    const text = response.text;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      throw new BankUnavailable(`${where}: ${response.status} with a body that is not JSON`, 'bad_response', {
        cause: err,
      });
    }
    if (response.status >= 500) {
      const code = errorBody.safeParse(body).data?.code ?? 'unknown';
      const reason = response.status === 504 ? 'timeout' : 'server_error';
      throw new BankUnavailable(`${where}: bank answered ${response.status} ${code}`, reason);
    }
    return { status: response.status, header: response.header, body };
  }
}

/** Reads an expected body; an error status or an unexpected shape becomes BankRejected. */
function decode<T>(schema: z.ZodType<T>, answer: Answer): T {
  if (answer.status >= 400) throw rejected(answer);
  const parsed = schema.safeParse(answer.body);
  if (!parsed.success)
    throw new BankRejected(answer.status, 'unexpected_body', 'bank answer has an unexpected shape');
  return parsed.data;
}

/** The `{ code, message, charge? }` of a refusal; an empty code when the body is not one. */
function refusalOf(answer: Answer): z.infer<typeof errorBody> {
  return errorBody.safeParse(answer.body).data ?? { code: '' };
}

function rejected(answer: Answer): BankRejected {
  const refusal = errorBody.safeParse(answer.body).data;
  return new BankRejected(
    answer.status,
    refusal?.code ?? 'unknown',
    `bank refused (${answer.status} ${refusal?.code ?? 'unknown'}): ${refusal?.message ?? ''}`,
  );
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
  return `${err.message}${cause}`;
}

/** The bank client a service role configures: BANK_URL, its timeout, its signing key, TLS_CA_FILE. */
export function bankClientFor(config: {
  BANK_URL: string;
  BANK_TIMEOUT_MS: number;
  BANK_SIGNING_KEY?: string | undefined;
  TLS_CA_FILE?: string | undefined;
}): BankClient {
  return new BankClient({
    baseUrl: config.BANK_URL,
    timeoutMs: config.BANK_TIMEOUT_MS,
    ...(config.BANK_SIGNING_KEY ? { signingKey: config.BANK_SIGNING_KEY } : {}),
    ...(config.TLS_CA_FILE ? { ca: readFileSync(config.TLS_CA_FILE) } : {}),
  });
}
