import type pg from 'pg';
import { sql } from '../db/sql.ts';
import type { HoldReason } from './rules.ts';

/** A payout the fraud rules hold in MANUAL_REVIEW, debited and waiting for an operator. */
export interface HeldPayout {
  transferId: string;
  reason: HoldReason;
  heldAt: Date;
  userId: string;
  accountId: string;
  amount: number;
  currency: string;
  destination: string;
}

/**
 * What a review did: `not_held` when the transfer has no open fraud hold (unknown, not held, or in
 * MANUAL_REVIEW for recon's reasons, which are decided with the bank, not here); `already_decided`
 * when another operator was first.
 */
export type ReviewOutcome = 'released' | 'refused' | 'not_held' | 'already_decided';

/** An operator's decision on a hold: who made it and why, both recorded with the hold. */
export interface Decision {
  by: string;
  /** Kept in payout_holds.note (payout_holds.reason is the rule that held the payout). */
  reason: string;
}

/** What Postgres holds for a transfer the fraud rules may have held; null when there is no such transfer. */
export interface HoldState {
  status: string;
  /** The rule that held it; null when the fraud rules never held it. */
  rule: HoldReason | null;
  decision: 'released' | 'refused' | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  /** Why it was decided; null before a decision (or for a decision made before a reason was required). */
  reason: string | null;
}

/** The review queue: open holds, oldest first. */
export async function openHolds(pool: pg.Pool, opts: { limit: number }): Promise<HeldPayout[]> {
  const { rows } = await pool.query(sql('holds-open'), [opts.limit]);
  return rows.map((r) => ({
    transferId: r.transfer_id,
    reason: r.reason,
    heldAt: r.held_at,
    userId: r.user_id,
    accountId: r.account_id,
    amount: Number(r.amount),
    currency: r.currency,
    destination: r.destination,
  }));
}

/**
 * Lets a held payout go: it becomes PENDING and goes to the bank the way every payout does, through
 * the outbox (the relay publishes it, the worker charges it with its transfer id as key), atomically
 * with the recorded decision.
 */
export async function releaseHeldPayout(
  pool: pg.Pool,
  transferId: string,
  d: Decision,
): Promise<ReviewOutcome> {
  const { rows } = await pool.query<{ outcome: ReviewOutcome }>(sql('hold-release'), [
    transferId,
    d.by,
    d.reason,
  ]);
  return rows[0]?.outcome ?? 'not_held';
}

/** Refuses a held payout: FAILED, the money back in the account by a reversal entry, never sent. */
export async function refuseHeldPayout(
  pool: pg.Pool,
  transferId: string,
  d: Decision,
): Promise<ReviewOutcome> {
  const { rows } = await pool.query<{ outcome: ReviewOutcome }>(sql('hold-refuse'), [
    transferId,
    d.by,
    d.reason,
  ]);
  return rows[0]?.outcome ?? 'not_held';
}

/** A transfer's status and its fraud hold, if any, e.g. to explain why a decision was not applied. */
export async function holdState(pool: pg.Pool, transferId: string): Promise<HoldState | null> {
  const { rows } = await pool.query(sql('hold-get'), [transferId]);
  const r = rows[0];
  if (!r) return null;
  return {
    status: r.status,
    rule: r.rule,
    decision: r.decision,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    reason: r.note,
  };
}
