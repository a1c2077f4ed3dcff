/** The reusable checkers: each reads a paired history and/or the final state and returns a CheckResult. */
export { acknowledgedDurable } from './acknowledged-durable.ts';
export { allTerminal } from './all-terminal.ts';
export { bankChargedOnce } from './bank-charged-once.ts';
export { type ExpectedDebits, exactDebits } from './exact-debits.ts';
export {
  chargedReferences,
  type FinalCharge,
  type FinalState,
  type FinalTransfer,
  type KeyRecord,
  TRANSFER_STATUSES,
  type TransferStatus,
  toFinalCharge,
} from './final-state.ts';
export { type DirectCommit, isolatedPrimaryWindow } from './isolated-primary-window.ts';
export { ledgerMatchesBalance } from './ledger-matches-balance.ts';
export { moneyConserved } from './money-conserved.ts';
export { noNegativeBalance } from './no-negative-balance.ts';
export { noSecondEffect } from './no-second-effect.ts';
export { noTwoPrimaries } from './no-two-primaries.ts';
export { complete } from './pair.ts';
export { queueDrained } from './queue-drained.ts';
export { type QueueSample, reconBound } from './recon-bound.ts';
export { refundedOnce } from './refunded-once.ts';
export { refusalsChangedNothing } from './refusals-changed-nothing.ts';
export { replaysMatch } from './replays-match.ts';
export { standbyPromoted } from './standby-promoted.ts';
export { unknownsResolved } from './unknowns-resolved.ts';
