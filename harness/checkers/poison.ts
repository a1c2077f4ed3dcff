import type { CheckResult } from '../core/check-result.ts';
import { ErrorExamples } from './error-examples.ts';
import type { FinalState, TransferStatus } from './final-state.ts';

/** A poison payout: declined by the bank (final), or a corrupt row the bank refuses on every attempt. */
export interface PoisonPayout {
  id: string;
  kind: 'declined' | 'corrupt';
}

/** The poison payouts as they stood once the workers were done with them, before anything was fixed. */
export interface PoisonSnapshot {
  poison: PoisonPayout[];
  /** Dead letters by transfer id: how many attempts the job had made. */
  letters: Map<string, number>;
  statuses: Map<string, TransferStatus>;
  /** Poison transfers the bank holds a charge for. */
  charged: Set<string>;
  /** WORKER_ATTEMPTS: a corrupt row must be given every attempt before it is dead-lettered. */
  attempts: number;
}

type PoisonError = { kind: string; transferId: string; poison: PoisonPayout['kind']; detail?: unknown };

/**
 * Every poison job reached the dead-letter queue after its attempts (a decline at once, it is final; a
 * corrupt row after every attempt); a declined one is FAILED (refunded: refunded-once checks how), a
 * corrupt one still open with its money held for a replay; none was charged.
 */
export function poisonDeadLettered(s: PoisonSnapshot): CheckResult {
  const errors = new ErrorExamples<PoisonError>();
  for (const p of s.poison) {
    const base = { transferId: p.id, poison: p.kind };
    const status = s.statuses.get(p.id);
    const attempts = s.letters.get(p.id);
    if (attempts === undefined) errors.add({ kind: 'not-dead-lettered', ...base, detail: { status } });
    else if (p.kind === 'corrupt' && attempts !== s.attempts)
      errors.add({ kind: 'dead-lettered-early', ...base, detail: { attempts, expected: s.attempts } });
    if (p.kind === 'declined' && status !== 'FAILED')
      errors.add({ kind: 'declined-not-failed', ...base, detail: { status } });
    if (p.kind === 'corrupt' && status !== 'PENDING' && status !== 'PROCESSING')
      errors.add({ kind: 'corrupt-closed', ...base, detail: { status } });
    if (s.charged.has(p.id)) errors.add({ kind: 'charged', ...base });
  }
  return errors.result({
    name: 'poison-dead-lettered',
    description:
      'Every poison job reached the dead-letter queue after its attempts: declined ones FAILED, corrupt ones open with their money held, none charged.',
    figures: { poison: s.poison.length, deadLettered: s.poison.filter((p) => s.letters.has(p.id)).length },
  });
}

/**
 * Healthy payouts did not pay for the poison: their p99 time to SETTLED while poison jobs failed and
 * retried stayed within `factor` × the p99 of runs without poison (the worse of the two around it),
 * plus `slackMs` for a shared machine's noise.
 */
export function healthyLatencyBounded(m: {
  p99Ms: number;
  baselineP99Ms: number;
  factor: number;
  slackMs: number;
}): CheckResult {
  const bound = m.factor * m.baselineP99Ms + m.slackMs;
  const valid = m.p99Ms <= bound;
  return {
    name: 'healthy-latency-bounded',
    description: `Healthy payouts’ p99 time to SETTLED with poison jobs about stayed within ${m.factor}× their p99 without, plus ${m.slackMs} ms.`,
    valid,
    errorCount: valid ? 0 : 1,
    ...(valid ? {} : { first: { p99Ms: m.p99Ms, boundMs: bound, baselineP99Ms: m.baselineP99Ms } }),
    figures: { p99Ms: m.p99Ms, baselineP99Ms: m.baselineP99Ms, boundMs: bound },
  };
}

/**
 * Once the cause was removed, replaying the dead letters settled every corrupt payout (each charged
 * once: bank-charged-once checks that) and left the declined ones as they were; nothing stayed dead.
 */
export function replaySettledOnce(
  poison: PoisonPayout[],
  state: FinalState,
  lettersLeft: Set<string>,
): CheckResult {
  const errors = new ErrorExamples<PoisonError>();
  const status = new Map(state.transfers.map((t) => [t.id, t.status]));
  let settled = 0;
  for (const p of poison) {
    const base = { transferId: p.id, poison: p.kind };
    const s = status.get(p.id);
    if (p.kind === 'corrupt' && s === 'SETTLED') settled++;
    else if (p.kind === 'corrupt') errors.add({ kind: 'replay-not-settled', ...base, detail: { status: s } });
    if (p.kind === 'declined' && s !== 'FAILED')
      errors.add({ kind: 'declined-changed', ...base, detail: { status: s } });
    if (lettersLeft.has(p.id)) errors.add({ kind: 'still-dead-lettered', ...base });
  }
  return errors.result({
    name: 'replay-settled-once',
    description:
      'Replaying the dead letters after the cause was removed settled every replayable payout and left the declined ones FAILED; none stayed dead-lettered.',
    figures: { replaySettled: settled },
  });
}
