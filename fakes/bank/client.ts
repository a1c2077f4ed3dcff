import { z } from 'zod';
import {
  type BankAnswer,
  type BankStats,
  bankRequest,
  type Charge,
  type ChargeResult,
  chargeOutcome,
  chargeSchema,
  decode,
  lookupOutcome,
  noAnswer,
  readAnswer,
  voidOutcome,
} from '../../contract/bank.ts';
import type { Faults } from './faults.ts';

export type { Faults } from './faults.ts';

const chargesBody = z.object({ charges: z.array(chargeSchema), next: z.string().nullish() });

/**
 * The mock bank's own client, for whoever owns the bank — faultline's harness and the bank's tests: the
 * payer's operations (charge, lookup, void, as contract/bank.ts reads them) and the owner's (every
 * record, totals, run-time faults). A service under test speaks only the payer's part, with its own
 * client.
 */
export class BankControl {
  readonly #baseUrl: string;
  readonly #timeoutMs: number;
  readonly #signingKey: string | undefined;

  constructor(opts: { baseUrl: string; timeoutMs?: number; signingKey?: string }) {
    this.#baseUrl = opts.baseUrl.replace(/\/$/, '');
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
    this.#signingKey = opts.signingKey;
  }

  /** Charges once per key (without one, on every call); throws BankUnavailable when the outcome is unknown. */
  async charge(req: {
    key?: string;
    amount: number;
    currency: string;
    reference: string;
    destination?: string | null;
  }): Promise<ChargeResult> {
    const { key, ...body } = req;
    const answer = await this.#send('POST', '/v1/charges', {
      body,
      headers: key === undefined ? {} : { 'Idempotency-Key': key },
    });
    return chargeOutcome(answer)[1];
  }

  /** The record under `key`, or null when the bank never saw it. */
  async lookup(key: string): Promise<Charge | null> {
    return lookupOutcome(await this.#send('GET', `/v1/charges/${encodeURIComponent(key)}`))[1];
  }

  /** Forbids any later charge with `key`; returns its final record. */
  async void(key: string): Promise<Charge> {
    return voidOutcome(await this.#send('POST', `/v1/charges/${encodeURIComponent(key)}/void`))[1];
  }

  /** Every record (any status) for one payer reference. */
  async chargesFor(reference: string): Promise<Charge[]> {
    const answer = await this.#send('GET', `/v1/charges?reference=${encodeURIComponent(reference)}`);
    return decode(chargesBody, answer).charges;
  }

  /** Every record in the bank, oldest first, fetched page by page. */
  async allCharges(opts: { pageSize?: number } = {}): Promise<Charge[]> {
    const pageSize = opts.pageSize ?? 10_000;
    const all: Charge[] = [];
    let after: string | null | undefined;
    do {
      const query = `limit=${pageSize}${after ? `&after=${encodeURIComponent(after)}` : ''}`;
      const page = decode(chargesBody, await this.#send('GET', `/v1/charges?${query}`));
      all.push(...page.charges);
      after = page.next;
    } while (after);
    return all;
  }

  async stats(): Promise<BankStats> {
    return decode(z.custom<BankStats>(), await this.#send('GET', '/v1/stats'));
  }

  /** Replaces the fault config: fields left out are switched off; no seed means the bank's own. */
  async setFaults(faults: Partial<Faults>): Promise<Faults> {
    return decode(z.custom<Faults>(), await this.#send('PUT', '/v1/faults', { body: faults }));
  }

  async faults(): Promise<Faults> {
    return decode(z.custom<Faults>(), await this.#send('GET', '/v1/faults'));
  }

  async #send(
    method: string,
    path: string,
    opts: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<BankAnswer> {
    const where = `${method} ${path}`;
    const { payload, headers } = bankRequest(method, path, { ...opts, signingKey: this.#signingKey });
    try {
      const res = await fetch(`${this.#baseUrl}${path}`, {
        method,
        headers,
        body: payload,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      const text = await res.text();
      return readAnswer(where, {
        status: res.status,
        text,
        header: (name) => res.headers.get(name) ?? undefined,
      });
    } catch (err) {
      if ((err as Error).name === 'BankUnavailable') throw err;
      const timedOut = (err as Error).name === 'TimeoutError';
      throw noAnswer(where, err, { timedOut, timeoutMs: this.#timeoutMs });
    }
  }
}
