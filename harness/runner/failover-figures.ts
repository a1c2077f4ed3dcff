import type { Op } from '../core/history.ts';

/** What one failover measured, ms after the kill (-1: did not happen within the bound). */
export interface FailoverFigures {
  member: string;
  /** Payouts acknowledged in the second before the kill: what a durability hole would lose. */
  acknowledgedLastSecond: number;
  /** Until another member was seen primary. */
  newPrimaryMs: number;
  /** Until a write through HAProxy committed again. */
  writableMs: number;
  /** Until the API answered /readyz again. */
  apiReadyMs: number;
  refused: number;
  unknown: number;
}

/**
 * Payouts (a client's payout with its retries counts once) with an attempt invoked in [from, to] that
 * was refused (fail), or whose outcome was unknown (info).
 */
export function outcomesDuring(
  ops: readonly Op[],
  from: number,
  to: number,
): { refused: number; unknown: number } {
  const invoked = new Map<number, number>();
  const refused = new Set<number>();
  const unknown = new Set<number>();
  for (const op of ops) {
    if (op.f !== 'payout' && op.f !== 'replay') continue;
    if (op.type === 'invoke') {
      invoked.set(op.process, op.time);
      continue;
    }
    const at = invoked.get(op.process);
    if (at === undefined || at < from || at > to) continue;
    if (op.type === 'fail') refused.add(op.process);
    if (op.type === 'info') unknown.add(op.process);
  }
  return { refused: refused.size, unknown: unknown.size };
}

/** The figures of a run's failovers: the worst of each, and each kill's acknowledged payouts before it. */
export function failoverSummary(failovers: readonly FailoverFigures[]): Record<string, number> {
  const worst = (f: (x: FailoverFigures) => number) => {
    const values = failovers.map(f);
    return values.includes(-1) ? -1 : Math.max(0, ...values);
  };
  const figures: Record<string, number> = {
    failovers: failovers.length,
    failover_ms_max: worst((f) => f.newPrimaryMs),
    no_writable_primary_ms_max: worst((f) => f.writableMs),
    api_ready_after_ms_max: worst((f) => f.apiReadyMs),
    refused_during_failover: failovers.reduce((n, f) => n + f.refused, 0),
    unknown_during_failover: failovers.reduce((n, f) => n + f.unknown, 0),
    acknowledged_last_second_min: Math.min(...failovers.map((f) => f.acknowledgedLastSecond)),
  };
  failovers.forEach((f, i) => {
    figures[`failover_${i + 1}_ms`] = f.newPrimaryMs;
    figures[`acknowledged_before_kill_${i + 1}`] = f.acknowledgedLastSecond;
  });
  return figures;
}
