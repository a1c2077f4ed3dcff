import type { BankStats, Charge } from '../../contract/bank.ts';

/**
 * The in-memory view of the ledger: every durable charge by key, by reference and in id order,
 * plus running totals, so that reads never touch the file.
 */
export class ChargeBook {
  private readonly byKey = new Map<string, Charge>();
  private readonly byReference = new Map<string, Charge[]>();
  private readonly chargedByReference = new Map<string, number>();
  /** In id order, because ids are handed out in file order and added in that order. */
  private readonly ordered: Charge[] = [];
  private readonly totals: BankStats = {
    charged: { count: 0, amount: 0 },
    declined: { count: 0 },
    voided: { count: 0 },
    byReference: { duplicates: 0 },
  };

  /** Adds a durable charge; a second record for one key means the ledger is corrupt. */
  add(charge: Charge): void {
    if (this.byKey.has(charge.key)) throw new Error(`ledger holds two records for key ${charge.key}`);
    this.byKey.set(charge.key, charge);
    this.ordered.push(charge);
    const sameReference = this.byReference.get(charge.reference);
    if (sameReference) sameReference.push(charge);
    else this.byReference.set(charge.reference, [charge]);

    if (charge.status === 'charged') {
      this.totals.charged.count += 1;
      this.totals.charged.amount += charge.amount;
      const charged = (this.chargedByReference.get(charge.reference) ?? 0) + 1;
      this.chargedByReference.set(charge.reference, charged);
      if (charged === 2) this.totals.byReference.duplicates += 1;
    } else {
      this.totals[charge.status].count += 1;
    }
  }

  get(key: string): Charge | undefined {
    return this.byKey.get(key);
  }

  /** Every charge for a reference, any status, oldest first. */
  forReference(reference: string): Charge[] {
    return [...(this.byReference.get(reference) ?? [])];
  }

  /** Up to `limit` charges with an id greater than `after`, oldest first. */
  page(opts: { after?: string; limit: number }): Charge[] {
    const start = opts.after === undefined ? 0 : this.firstAfter(opts.after);
    return this.ordered.slice(start, start + opts.limit);
  }

  stats(): BankStats {
    return structuredClone(this.totals);
  }

  get size(): number {
    return this.ordered.length;
  }

  /** Binary search: ids are fixed-width, so string order is id order. */
  private firstAfter(id: string): number {
    let lo = 0;
    let hi = this.ordered.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ordered[mid] as Charge).id <= id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
