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
  }>;
  /** Every charge the mock bank holds (reference = transfer id). */
  charges: Array<{
    id: string;
    key: string;
    reference: string;
    amount: number;
    status: 'charged' | 'declined' | 'voided';
  }>;
  /** BullMQ payout queue counts at the end. */
  queue: { waiting: number; active: number; delayed: number; prioritized: number };
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
