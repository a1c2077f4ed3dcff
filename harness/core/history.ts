/**
 * The history of a scenario run, Jepsen-style: every operation is an `invoke` followed by exactly one
 * completion from the same logical process: `ok` (it happened), `fail` (it certainly did not happen) or
 * `info` (unknown: a timeout, a dropped connection — checkers treat it as "may have happened").
 */
export type OpType = 'invoke' | 'ok' | 'fail' | 'info';

export interface Op {
  /** Position in the history, from 0. */
  index: number;
  /** Logical client that issued it; a process has at most one operation outstanding. */
  process: number;
  type: OpType;
  /** What the operation is: 'payout', 'replay', 'read', 'deposit', 'transfer', ... */
  f: string;
  /** invoke: the request; completion: the response (status, body) or null. */
  value: unknown;
  /** Milliseconds since the run started. */
  time: number;
  /** Why it failed or is unknown. */
  error?: string;
}

/** An operation with its completion, paired by process. A missing completion counts as `info`. */
export interface Completed {
  process: number;
  f: string;
  type: Exclude<OpType, 'invoke'>;
  request: unknown;
  response: unknown;
  invokedAt: number;
  completedAt: number | null;
  error?: string;
}

/** The outcome a client gives an operation: ok (happened), fail (certainly did not), info (unknown). */
export interface Outcome {
  type: 'ok' | 'fail' | 'info';
  value: unknown;
  error?: string;
}
