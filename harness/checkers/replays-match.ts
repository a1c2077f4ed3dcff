import { isDeepStrictEqual } from 'node:util';
import type { CheckResult } from '../core/check-result.ts';
import type { Completed } from '../core/history.ts';
import { ErrorExamples } from './error-examples.ts';
import {
  idempotencyKey,
  isKeyInFlight,
  isStoredAnswer,
  keyIdentity,
  responseBody,
  responseStatus,
} from './response.ts';

type ReplayError =
  | {
      kind: 'mismatch';
      idempotencyKey: string;
      original: { status: number | undefined; body: unknown };
      replay: { status: number | undefined; body: unknown };
    }
  | {
      kind: 'in-flight-after-completion';
      idempotencyKey: string;
      originalCompletedAt: number | null;
      replayInvokedAt: number;
    };

/**
 * A request replayed with the same Idempotency-Key gets the original's stored answer: same status, same
 * body — a success, or the 422 insufficient_funds refusal the service keeps like one. A 409
 * `idempotency_key_in_flight` is fine only while another request with that key may still be running (it
 * ended `info`, or it was sent before the 409 came back and completed after the replay was sent).
 * Pairs where either side has no stored answer (unknown, or a refusal that left the key unused) are
 * not compared.
 */
export function replaysMatch(ops: Completed[]): CheckResult {
  const errors = new ErrorExamples<ReplayError>();
  const originals = new Map<string, Completed>();
  const byKey = new Map<string, Completed[]>();
  for (const op of ops) {
    const identity = keyIdentity(op);
    if (identity === undefined || (op.f !== 'payout' && op.f !== 'replay')) continue;
    byKey.set(identity, [...(byKey.get(identity) ?? []), op]);
    // The first payout with a key is the original; later ones with the same key are replays in effect.
    if (op.f === 'payout' && !originals.has(identity)) originals.set(identity, op);
  }

  let replays = 0;
  let compared = 0;
  let inFlightAccepted = 0;
  let orphans = 0;
  let mismatched = 0;
  for (const replay of ops) {
    const key = idempotencyKey(replay);
    const identity = keyIdentity(replay);
    if (replay.f !== 'replay' || key === undefined || identity === undefined) continue;
    replays++;
    const original = originals.get(identity);
    if (!original) {
      orphans++;
      continue;
    }
    if (isKeyInFlight(replay)) {
      const running = (byKey.get(identity) ?? []).some(
        (other) => other !== replay && mayOverlap(other, replay),
      );
      if (running) inFlightAccepted++;
      else {
        errors.add({
          kind: 'in-flight-after-completion',
          idempotencyKey: key,
          originalCompletedAt: original.completedAt,
          replayInvokedAt: replay.invokedAt,
        });
      }
      continue;
    }
    // An original that is unknown, refused without storing, or itself told "in flight" has no answer to compare.
    if (!isStoredAnswer(replay) || !isStoredAnswer(original) || isKeyInFlight(original)) continue;
    compared++;
    const a = { status: responseStatus(original), body: responseBody(original) };
    const b = { status: responseStatus(replay), body: responseBody(replay) };
    if (!isDeepStrictEqual(a, b)) {
      mismatched++;
      errors.add({ kind: 'mismatch', idempotencyKey: key, original: a, replay: b });
    }
  }

  return errors.result({
    name: 'replays-match',
    description:
      'A replayed idempotent request returns the original’s stored status and body, or 409 in-flight only while a request with its key may still be running.',
    figures: { replays, compared, mismatched, in_flight_accepted: inFlightAccepted, orphans },
  });
}

/**
 * Whether `other` may have held the key while the service decided `replay`: it was sent before the replay's
 * answer came back, and was not yet answered (or its outcome is unknown) when the replay was sent.
 */
function mayOverlap(other: Completed, replay: Completed): boolean {
  const sentBefore = replay.completedAt === null || other.invokedAt < replay.completedAt;
  // An unknown outcome may still be running at the service after the client stopped waiting.
  const stillOpen =
    other.type === 'info' || other.completedAt === null || other.completedAt > replay.invokedAt;
  return sentBefore && stillOpen;
}
