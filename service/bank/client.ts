import { readFileSync } from 'node:fs';
import {
  type BankAnswer,
  BankUnavailable,
  type Charge,
  type ChargeResult,
  chargeOutcome,
  exchangeWithBank,
  lookupOutcome,
  voidOutcome,
} from '../../contract/bank.ts';
import { keepAliveTransport, type Transport } from '../../lib/http-exchange.ts';
import { bankCallDuration, bankCalls } from '../metrics.ts';

export type { Charge, ChargeResult } from '../../contract/bank.ts';
export { BankRejected, BankUnavailable } from '../../contract/bank.ts';

/**
 * The service's client for the bank (its protocol: contract/bank.ts): one method per operation the
 * worker, recon and the operator commands need, each timed and counted.
 */
export class BankClient {
  private readonly transport: Transport;
  private readonly timeoutMs: number;
  private readonly signingKey: string | undefined;

  /**
   * With `signingKey`, every request is signed (contract/bank-signature.ts), as a bank with that key
   * requires; an `https://` bank is trusted through `ca`. Connections are kept alive between calls;
   * close() ends the idle ones (they never hold a process open).
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
    return this.observe('charge', async () => {
      const { key, ...body } = req;
      const answer = await this.send('POST', '/v1/charges', {
        body,
        headers: key === undefined ? {} : { 'Idempotency-Key': key },
      });
      return chargeOutcome(answer);
    });
  }

  /** The charge recorded under `key`, or null when the bank never saw that key. */
  lookup(key: string): Promise<Charge | null> {
    return this.observe('lookup', async () =>
      lookupOutcome(await this.send('GET', `/v1/charges/${encodeURIComponent(key)}`)),
    );
  }

  /** Forbids any later charge with `key`; returns the key's final record: voided, declined or charged. */
  void(key: string): Promise<Charge> {
    return this.observe('void', async () =>
      voidOutcome(await this.send('POST', `/v1/charges/${encodeURIComponent(key)}/void`)),
    );
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

  private send(
    method: string,
    path: string,
    opts: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<BankAnswer> {
    return exchangeWithBank(this.transport, {
      method,
      path,
      ...opts,
      signingKey: this.signingKey,
      timeoutMs: this.timeoutMs,
    });
  }
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
