import type { CheckResult } from '../core/check-result.ts';
import { ErrorExamples } from './error-examples.ts';
import type { FinalCharge, FinalState } from './final-state.ts';

type ChargeError =
  | { kind: 'double-charge'; reference: string; chargeIds: string[]; count: number }
  | { kind: 'settled-uncharged'; transferId: string; amount: number }
  | { kind: 'failed-charged'; transferId: string; amount: number; chargeIds: string[] }
  | { kind: 'amount-mismatch'; transferId: string; amount: number; chargeId: string; charged: number }
  | { kind: 'unknown-reference'; chargeId: string; reference: string; amount: number; status: string }
  | { kind: 'unknown-void'; chargeId: string; key: string };

/**
 * The bank paid each transfer at most once and exactly the settled ones: one `charged` charge per SETTLED
 * transfer, for its amount; none for a FAILED one; none for a reference that is no transfer of ours.
 * A void is the bank's tombstone for a key (empty reference, amount 0): it belongs to the transfer whose
 * id is its key, and only a void of a key that is no transfer of ours is an error.
 */
export function bankChargedOnce(state: FinalState): CheckResult {
  const errors = new ErrorExamples<ChargeError>();
  const transfers = new Map(state.transfers.map((t) => [t.id, t]));
  const chargedBy = new Map<string, FinalCharge[]>();
  let voids = 0;
  for (const c of state.charges) {
    if (c.status === 'voided') {
      voids++;
      if (!transfers.has(c.key)) errors.add({ kind: 'unknown-void', chargeId: c.id, key: c.key });
      continue;
    }
    if (!transfers.has(c.reference)) {
      errors.add({
        kind: 'unknown-reference',
        chargeId: c.id,
        reference: c.reference,
        amount: c.amount,
        status: c.status,
      });
    }
    if (c.status !== 'charged') continue;
    const list = chargedBy.get(c.reference);
    if (list) list.push(c);
    else chargedBy.set(c.reference, [c]);
  }

  let doubleCharged = 0;
  for (const [reference, list] of chargedBy) {
    if (list.length < 2) continue;
    doubleCharged++;
    // Score by count so `worst` is the reference charged the most times.
    errors.add(
      { kind: 'double-charge', reference, chargeIds: list.map((c) => c.id), count: list.length },
      { score: list.length },
    );
  }

  let settled = 0;
  let settledUncharged = 0;
  for (const t of state.transfers) {
    const charges = chargedBy.get(t.id) ?? [];
    if (t.status === 'SETTLED') {
      settled++;
      if (charges.length === 0) {
        settledUncharged++;
        errors.add({ kind: 'settled-uncharged', transferId: t.id, amount: t.amount });
      }
    }
    if (t.status === 'FAILED' && charges.length > 0) {
      errors.add({
        kind: 'failed-charged',
        transferId: t.id,
        amount: t.amount,
        chargeIds: charges.map((c) => c.id),
      });
    }
    for (const c of charges) {
      if (c.amount !== t.amount) {
        errors.add({
          kind: 'amount-mismatch',
          transferId: t.id,
          amount: t.amount,
          chargeId: c.id,
          charged: c.amount,
        });
      }
    }
  }

  return errors.result({
    name: 'bank-charged-once',
    description:
      'The bank charged every settled transfer exactly once for its amount, never a failed one, and nothing else.',
    figures: {
      charges: state.charges.length,
      charged: countCharged(chargedBy),
      settled,
      voids,
      double_charged: doubleCharged,
      settled_uncharged: settledUncharged,
    },
  });
}

function countCharged(chargedBy: Map<string, FinalCharge[]>): number {
  let n = 0;
  for (const list of chargedBy.values()) n += list.length;
  return n;
}
