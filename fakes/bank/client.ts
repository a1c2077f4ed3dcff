import { z } from 'zod';
import {
  type BankAnswer,
  type BankStats,
  type Charge,
  type ChargeResult,
  chargeOutcome,
  chargeSchema,
  decode,
  exchangeWithBank,
  lookupOutcome,
  voidOutcome,
} from '../../contract/bank.ts';
import { keepAliveTransport, type Transport } from '../../lib/http-exchange.ts';
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
  readonly #transport: Transport;
  readonly #timeoutMs: number;
  readonly #signingKey: string | undefined;

  /** Signs every request with `signingKey` when given; trusts an `https://` bank through `ca`. */
  constructor(opts: { baseUrl: string; timeoutMs?: number; signingKey?: string; ca?: string | Buffer }) {
    this.#transport = keepAliveTransport(opts.baseUrl, { ca: opts.ca });
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
    this.#signingKey = opts.signingKey;
  }

  /** Closes its idle kept-alive connections. */
  close(): void {
    this.#transport.close();
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

  #send(
    method: string,
    path: string,
    opts: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<BankAnswer> {
    return exchangeWithBank(this.#transport, {
      method,
      path,
      ...opts,
      signingKey: this.#signingKey,
      timeoutMs: this.#timeoutMs,
    });
  }
}
