import { z } from 'zod';

/**
 * One record of the bank's ledger. A key has exactly one record, written once and never changed:
 * `charged` (money moved), `declined` (recorded, no money moved) or `voided` (a tombstone that forbids
 * any later charge with that key; its amount is 0 and its reference and currency are empty).
 */
export interface Charge {
  id: string;
  key: string;
  reference: string;
  amount: number;
  currency: string;
  destination: string | null;
  status: ChargeStatus;
  createdAt: string;
}

export type ChargeStatus = 'charged' | 'declined' | 'voided';

/** What a payer asks for; two requests with the same key must carry the same one. */
export interface ChargeRequest {
  amount: number;
  currency: string;
  reference: string;
  destination: string | null;
}

/** Totals over the whole ledger; `duplicates` counts references with more than one `charged` charge. */
export interface BankStats {
  charged: { count: number; amount: number };
  declined: { count: number };
  voided: { count: number };
  byReference: { duplicates: number };
}

export const chargeSchema = z.object({
  id: z.string(),
  key: z.string(),
  reference: z.string(),
  amount: z.number(),
  currency: z.string(),
  destination: z.string().nullable(),
  status: z.enum(['charged', 'declined', 'voided']),
  createdAt: z.string(),
}) satisfies z.ZodType<Charge>;
