import type { FaultEvidence, FaultWindow } from '../core/fault-window.ts';
import type { Op } from '../core/history.ts';
import type { Fault } from './nemesis.ts';

/*
 * Evidence that a fault hit live work. A kill that landed on an idle worker, or a cut while nothing
 * crossed the link, proves nothing; the runner calls such a run `vacuous` (harness/runner/vacuity.ts).
 * Each helper returns the same fault with an `evidence()` reader attached.
 */

/** Evidence counted just before the injection: what the fault is about to hit (a worker's active jobs). */
export function hitsBefore(fault: Fault, what: string, count: () => Promise<number>): Fault {
  let evidence: FaultEvidence = { hits: 0, what: `${what} (not injected)` };
  return {
    ...fault,
    inject: async () => {
      evidence = await count().then(
        (hits) => ({ hits, what }),
        (err: Error) => ({ hits: 0, what: `${what} (unreadable: ${err.message})` }),
      );
      await fault.inject();
    },
    evidence: async () => evidence,
  };
}

/** Evidence counted across the window: a counter read before the injection and after the heal. */
export function hitsAcross(fault: Fault, what: string, read: () => Promise<number>): Fault {
  let before: number | null = null;
  return {
    ...fault,
    inject: async () => {
      before = await read();
      await fault.inject();
    },
    evidence: async () => ({ hits: before === null ? 0 : Math.max(0, (await read()) - before), what }),
  };
}

/** Evidence counted once the fault is healed, from its window (the history, the final rows). */
export function hitsAfter(
  fault: Fault,
  what: string,
  count: (window: FaultWindow) => Promise<number> | number,
): Fault {
  return { ...fault, evidence: async (window) => ({ hits: await count(window), what }) };
}

/** Evidence from the history: operations in flight at some moment of the window. */
export function opsInFlight(fault: Fault, ops: readonly Op[], f?: (f: string) => boolean): Fault {
  return hitsAfter(fault, 'operations in flight', (window) => opsDuring(ops, window, f));
}

/**
 * How many operations (of the kinds `f` accepts) were in flight at some moment of the window: invoked
 * before it ended, and not completed before it started (an operation never completed counts).
 */
export function opsDuring(ops: readonly Op[], window: FaultWindow, f?: (f: string) => boolean): number {
  const end = window.endedAt ?? Number.POSITIVE_INFINITY;
  const open = new Map<number, Op>();
  let n = 0;
  for (const op of ops) {
    if (f && !f(op.f)) continue;
    if (op.type === 'invoke') {
      open.set(op.process, op);
      continue;
    }
    const invoke = open.get(op.process);
    if (!invoke) continue;
    open.delete(op.process);
    if (invoke.time <= end && op.time >= window.startedAt) n++;
  }
  for (const invoke of open.values()) if (invoke.time <= end) n++;
  return n;
}

/** How long before a kill an acknowledged commit is still at risk from a durability hole: see below. */
export const AT_RISK_MS = 1_000;

/**
 * Payouts acknowledged (a 201 to a payout or its replay) in the `ms` before `t`. A stack that
 * acknowledges a commit before its WAL is safe (not yet flushed, or not yet on the standby) loses only
 * commits from the last few hundred milliseconds before a crash; a kill with none of those proves nothing
 * about durability.
 */
export function acknowledgedBefore(ops: readonly Op[], t: number, ms = AT_RISK_MS): number {
  let n = 0;
  for (const op of ops) {
    if (op.type !== 'ok' || (op.f !== 'payout' && op.f !== 'replay')) continue;
    if (op.time < t - ms || op.time > t) continue;
    if ((op.value as { status?: number } | null)?.status === 201) n++;
  }
  return n;
}

/** Evidence of a crash: the payouts acknowledged in the second before it (see acknowledgedBefore). */
export function acknowledgedJustBefore(fault: Fault, ops: readonly Op[]): Fault {
  return hitsAfter(fault, 'payouts acknowledged in the second before it', (window) =>
    acknowledgedBefore(ops, window.startedAt),
  );
}
