import type { CheckResult } from '../core/check-result.ts';
import type { Completed } from '../core/history.ts';
import { ErrorExamples } from './error-examples.ts';
import type { FinalState } from './final-state.ts';
import { createdId, field, responseBody } from './response.ts';

/*
 * The fraud checkers read payout answers (a held payout is answered 201 with status MANUAL_REVIEW) and
 * the holds as Postgres records them (payout_holds: transfer id → reason, decision).
 */

/** A hold as recorded: the rule that held the payout, and the operator's decision once made. */
export interface HoldRecord {
  reason: string;
  decision: 'released' | 'refused' | null;
}

/** What the workload expects of one account's payouts: how many held, and by which rule. */
export interface ExpectedHolds {
  accountId: string;
  held: number;
  reason: string | null;
}

/** The transfer ids of payouts answered as held (201, MANUAL_REVIEW). */
export function heldIds(ops: Completed[]): Set<string> {
  const held = new Set<string>();
  for (const o of ops) {
    const id = createdId(o);
    if (id && field(responseBody(o), 'status') === 'MANUAL_REVIEW') held.add(id);
  }
  return held;
}

/**
 * Each account's payouts were held exactly as the rules say: the expected number, each by the expected
 * rule, and none of an account that stayed within every rule.
 */
export function holdsAsExpected(
  expected: ExpectedHolds[],
  ops: Completed[],
  holds: ReadonlyMap<string, HoldRecord>,
): CheckResult {
  const errors = new ErrorExamples<Record<string, unknown>>();
  const held = heldIds(ops);
  const byAccount = new Map<string, string[]>();
  for (const o of ops) {
    const id = createdId(o);
    const accountId = field(o.request, 'accountId');
    if (!id || typeof accountId !== 'string' || !held.has(id)) continue;
    byAccount.set(accountId, [...(byAccount.get(accountId) ?? []), id]);
  }
  for (const e of expected) {
    const ids = byAccount.get(e.accountId) ?? [];
    if (ids.length !== e.held)
      errors.add(
        { kind: 'held-count', accountId: e.accountId, expected: e.held, held: ids.length },
        { score: Math.abs(ids.length - e.held) },
      );
    for (const id of ids) {
      const reason = holds.get(id)?.reason ?? null;
      if (reason !== e.reason)
        errors.add({ kind: 'hold-reason', transferId: id, expected: e.reason, reason });
    }
  }
  return errors.result({
    name: 'holds-as-expected',
    description:
      'Every account had exactly the payouts held that the fraud rules call for, each by its rule; accounts within the rules had none.',
    figures: { held: held.size, expectedHeld: expected.reduce((n, e) => n + e.held, 0) },
  });
}

/**
 * No payout answered as held reached the bank before an operator decided: no charge of any status for
 * it, and it is still in MANUAL_REVIEW with an open hold.
 */
export function heldNeverPaid(
  ops: Completed[],
  state: FinalState,
  holds: ReadonlyMap<string, HoldRecord>,
): CheckResult {
  const errors = new ErrorExamples<Record<string, unknown>>();
  const held = heldIds(ops);
  const atBank = new Map<string, string>();
  for (const c of state.charges) if (held.has(c.reference)) atBank.set(c.reference, c.status);
  const status = new Map(state.transfers.map((t) => [t.id, t.status]));
  for (const id of held) {
    const charge = atBank.get(id);
    if (charge) errors.add({ kind: 'reached-bank', transferId: id, charge }, { score: 2 });
    if (status.get(id) !== 'MANUAL_REVIEW')
      errors.add({ kind: 'left-review', transferId: id, status: status.get(id) ?? 'missing' }, { score: 1 });
    if (!holds.has(id) || holds.get(id)?.decision) errors.add({ kind: 'hold-missing', transferId: id });
  }
  return errors.result({
    name: 'held-never-paid',
    description: 'No held payout reached the bank, or left MANUAL_REVIEW, before an operator decided.',
    figures: { held: held.size, held_reached_bank: atBank.size },
  });
}

/**
 * Payouts of accounts within the rules were not held and not delayed by the holds of others: each was
 * answered PENDING and had SETTLED by the time the burst's queue drained. Reports their answer latency.
 */
export function legitNotDelayed(
  legitAccounts: ReadonlySet<string>,
  ops: Completed[],
  state: FinalState,
): CheckResult {
  const errors = new ErrorExamples<Record<string, unknown>>();
  const status = new Map(state.transfers.map((t) => [t.id, t.status]));
  const latencies: number[] = [];
  for (const o of ops) {
    const accountId = field(o.request, 'accountId');
    if (o.f !== 'payout' || typeof accountId !== 'string' || !legitAccounts.has(accountId)) continue;
    const id = createdId(o);
    if (!id) {
      errors.add({ kind: 'not-accepted', accountId, type: o.type, response: o.response, error: o.error });
      continue;
    }
    if (o.completedAt !== null) latencies.push(o.completedAt - o.invokedAt);
    const answered = field(responseBody(o), 'status');
    if (answered !== 'PENDING') errors.add({ kind: 'held', transferId: id, answered }, { score: 2 });
    else if (status.get(id) !== 'SETTLED')
      errors.add({ kind: 'not-settled', transferId: id, status: status.get(id) });
  }
  latencies.sort((a, b) => a - b);
  const p99 = latencies.length
    ? (latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * 0.99) - 1)] as number)
    : 0;
  return errors.result({
    name: 'legit-not-delayed',
    description:
      'Every payout of an account within the rules was answered PENDING and settled without waiting for a review.',
    figures: { legit_payouts: latencies.length, legit_latency_ms_p99: Math.round(p99 * 10) / 10 },
  });
}

/**
 * Every operator decision took effect: a released payout settled once at the bank, a refused one
 * failed without a charge (its refund is what money-conserved and ledger-matches-balance verify).
 */
export function reviewsResolved(holds: ReadonlyMap<string, HoldRecord>, state: FinalState): CheckResult {
  const errors = new ErrorExamples<Record<string, unknown>>();
  const status = new Map(state.transfers.map((t) => [t.id, t.status]));
  const charged = new Map<string, number>();
  for (const c of state.charges)
    if (c.status === 'charged') charged.set(c.reference, (charged.get(c.reference) ?? 0) + 1);
  let released = 0;
  let refused = 0;
  for (const [id, h] of holds) {
    if (h.decision === 'released') {
      released++;
      if (status.get(id) !== 'SETTLED' || charged.get(id) !== 1)
        errors.add({
          kind: 'release-not-paid-once',
          transferId: id,
          status: status.get(id),
          charges: charged.get(id) ?? 0,
        });
    } else if (h.decision === 'refused') {
      refused++;
      if (status.get(id) !== 'FAILED' || charged.has(id))
        errors.add({
          kind: 'refusal-paid',
          transferId: id,
          status: status.get(id),
          charges: charged.get(id) ?? 0,
        });
    } else errors.add({ kind: 'undecided', transferId: id });
  }
  return errors.result({
    name: 'reviews-resolved',
    description:
      'Each released payout settled exactly once at the bank; each refused one failed and was never charged.',
    figures: { released, refused },
  });
}
