import type { Charge } from '../../contract/bank.ts';

/** Where a transfer ended: SETTLED and FAILED are terminal, the others mean work was left behind. */
export type TransferStatus = 'PENDING' | 'PROCESSING' | 'SETTLED' | 'FAILED' | 'MANUAL_REVIEW';

/** Every transfer status, in lifecycle order (for figures and tables). */
export const TRANSFER_STATUSES: readonly TransferStatus[] = [
  'PENDING',
  'PROCESSING',
  'SETTLED',
  'FAILED',
  'MANUAL_REVIEW',
];

/** The state a scenario gathers after healing every fault and letting the system settle. */
export interface FinalState {
  accounts: Array<{
    id: string;
    balance: number;
    ledgerSum: number;
    /** deposits + transfer_in − transfer_out, from the ledger */
    fundedNet: number;
  }>;
  transfers: Array<{
    id: string;
    accountId: string;
    amount: number;
    status: TransferStatus;
    attempts: number;
    reconAttempts: number;
    /** payout_reversal ledger entries of this transfer (its refunds) and their sum. */
    refunds: number;
    refunded: number;
    /** When it was created and when it ended (ms since the epoch), where the target's read gives them. */
    createdAt?: number;
    completedAt?: number | null;
    destination?: string | null;
  }>;
  /**
   * Every record the mock bank holds, as the bank writes them: a `charged` or `declined` record carries
   * the transfer id as its reference (and as its key, unless the payer sent none); a `voided` record is
   * a tombstone with the key only (empty reference, amount 0).
   */
  charges: Array<{
    id: string;
    key: string;
    reference: string;
    amount: number;
    status: 'charged' | 'declined' | 'voided';
  }>;
  /** The payout queue's counts at the end, where the target shows its queue (natively). */
  queue?: { waiting: number; active: number; delayed: number; prioritized: number };
  /** What the service stored under the idempotency keys of operations whose outcome was unknown. */
  keys: KeyRecord[];
  /** Profile versions (+1 per update) of users with an unknown profile update. */
  profiles: Array<{ userId: string; version: number }>;
}

/** A stored idempotency key: the request it guards took effect and this was its answer. */
export interface KeyRecord {
  /** The account the keyed request named (payout: accountId; transfer: fromAccountId). */
  accountId: string;
  key: string;
  status: number;
  /** The id of what the request made (a payout's), where the target's read gives it. */
  resultId?: string;
}

/** What the bank's record holds, as a FinalState charge. */
export function toFinalCharge(
  c: Pick<Charge, 'id' | 'key' | 'reference' | 'amount' | 'status'>,
): FinalCharge {
  return { id: c.id, key: c.key, reference: c.reference, amount: c.amount, status: c.status };
}

/** One transfer of a FinalState. */
export type FinalTransfer = FinalState['transfers'][number];

/** One bank charge of a FinalState. */
export type FinalCharge = FinalState['charges'][number];

/** The set of transfer ids the bank holds a `charged` charge for. */
export function chargedReferences(state: FinalState): Set<string> {
  const charged = new Set<string>();
  for (const c of state.charges) if (c.status === 'charged') charged.add(c.reference);
  return charged;
}
