import { isDeepStrictEqual } from 'node:util';
import type { CheckResult } from '../core/checker.ts';
import type { Completed } from '../core/history.ts';
import { ErrorExamples } from './error-examples.ts';
import { idempotencyKey, isKeyInFlight, keyIdentity, responseBody, responseStatus } from './response.ts';

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
 * A request replayed with the same Idempotency-Key gets the original's response: same status, same body.
 * A 409 `idempotency_key_in_flight` is fine only while the original may still be running: it ended `info`,
 * or it completed after the replay was sent (the two overlapped, so the original may have committed later).
 * Pairs where either side failed or is unknown are not compared.
 */
export function replaysMatch(ops: Completed[]): CheckResult {
  const errors = new ErrorExamples<ReplayError>();
  const originals = new Map<string, Completed>();
  for (const op of ops) {
    const identity = keyIdentity(op);
    // The first payout with a key is the original; later ones with the same key are replays in effect.
    if (op.f === 'payout' && identity !== undefined && !originals.has(identity)) originals.set(identity, op);
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
    if (replay.type !== 'ok' || original.type === 'fail') continue;

    if (isKeyInFlight(replay)) {
      const overlapped = original.completedAt === null || original.completedAt > replay.invokedAt;
      if (original.type === 'info' || overlapped) inFlightAccepted++;
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
    // An original that is unknown, or itself told "in flight", has no response of its own to compare.
    if (original.type !== 'ok' || isKeyInFlight(original)) continue;
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
      'A replayed idempotent request returns the original’s status and body, or 409 in-flight only while the original may still be running.',
    figures: { replays, compared, mismatched, inFlightAccepted, orphans },
  });
}
