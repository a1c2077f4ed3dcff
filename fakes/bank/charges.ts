import { randomUUID } from 'node:crypto';
import type { BankStats, Charge, ChargeRequest } from '../../contract/bank.ts';
import { AlreadyCharged, ChargeVoided, IdempotencyKeyReused, NotFound } from './errors.ts';
import { KeyedMutex } from './keyed-mutex.ts';
import type { Ledger } from './ledger.ts';

export interface ChargeOutcome {
  charge: Charge;
  /** True when the key had already been used and this is its first result again. */
  replayed: boolean;
}

/** Destinations starting with this are always declined: a decline that tests can ask for. */
export const DECLINE_PREFIX = 'DECLINE';

/**
 * The bank's story: a key charges at most once, a repeat gets the first result, a voided key can
 * never charge. Requests for one key are serialized, so concurrent duplicates replay the first.
 */
export class Charges {
  private readonly locks = new KeyedMutex();

  constructor(private readonly ledger: Ledger) {}

  /** Charges (or declines) once per key; without a key every call is a new charge, as on a non-idempotent rail. */
  async charge(
    key: string | undefined,
    request: ChargeRequest,
    opts: { decline: boolean },
  ): Promise<ChargeOutcome> {
    if (key === undefined)
      return { charge: await this.record(`gen_${randomUUID()}`, request, opts), replayed: false };
    return this.locks.run(key, async () => {
      const first = this.ledger.book.get(key);
      if (first) return { charge: replay(first, request), replayed: true };
      return { charge: await this.record(key, request, opts), replayed: false };
    });
  }

  /** Makes a later charge with `key` impossible; returns the key's final record (a charged one cannot be voided). */
  async void(key: string): Promise<Charge> {
    return this.locks.run(key, async () => {
      const first = this.ledger.book.get(key);
      if (first?.status === 'charged') throw new AlreadyCharged(first);
      if (first) return first;
      return this.ledger.append({
        key,
        reference: '',
        amount: 0,
        currency: '',
        destination: null,
        status: 'voided',
        createdAt: new Date().toISOString(),
      });
    });
  }

  get(key: string): Charge {
    const charge = this.ledger.book.get(key);
    if (!charge) throw new NotFound(`no charge with idempotency key ${key}`);
    return charge;
  }

  forReference(reference: string): Charge[] {
    return this.ledger.book.forReference(reference);
  }

  page(opts: { after?: string; limit: number }): Charge[] {
    return this.ledger.book.page(opts);
  }

  stats(): BankStats {
    return this.ledger.book.stats();
  }

  private record(key: string, request: ChargeRequest, opts: { decline: boolean }): Promise<Charge> {
    const declined = opts.decline || (request.destination?.startsWith(DECLINE_PREFIX) ?? false);
    return this.ledger.append({
      key,
      reference: request.reference,
      amount: request.amount,
      currency: request.currency,
      destination: request.destination,
      status: declined ? 'declined' : 'charged',
      createdAt: new Date().toISOString(),
    });
  }
}

function replay(first: Charge, request: ChargeRequest): Charge {
  if (first.status === 'voided') throw new ChargeVoided(first);
  const same =
    first.amount === request.amount &&
    first.currency === request.currency &&
    first.reference === request.reference &&
    first.destination === request.destination;
  if (!same) throw new IdempotencyKeyReused(first.key);
  return first;
}
