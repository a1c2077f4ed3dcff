import type { CheckResult } from '../core/check-result.ts';
import type { Completed } from '../core/history.ts';
import { ErrorExamples } from './error-examples.ts';
import type { FinalState } from './final-state.ts';
import { keyIdentity } from './response.ts';

/**
 * Writes that carry an Idempotency-Key: the service stores the key with their effect, in one commit.
 * (`reuse`: a key sent again with another request; `other-user`: another user's request, same key string.)
 */
export const KEYED_WRITES: ReadonlySet<string> = new Set([
  'payout',
  'replay',
  'transfer',
  'deposit',
  'reuse',
  'other-user',
]);
/** Reads change nothing, whether or not they were answered. */
const READS = new Set(['read', 'profile-read', 'balance-read']);

export type Resolution = 'happened' | 'not-happened' | 'no-effect' | 'unresolved';

interface Unresolved {
  f: string;
  request: unknown;
  invokedAt: number;
  why: string;
}

/** What an unknown-outcome check needs of the final state: the stored keys and profile versions. */
export type Lookups = Pick<FinalState, 'keys' | 'profiles'>;

/**
 * Every operation whose outcome was unknown (`info`) is looked up at the end: a keyed write happened
 * exactly when the service holds its idempotency key (stored in the same commit as its effect); a read
 * had no effect either way; profile updates are counted against the profile's version (+1 per update).
 * What cannot be looked up stays unresolved, and one unresolved operation fails the check.
 */
export function unknownsResolved(lookups: Lookups, ops: Completed[]): CheckResult {
  const errors = new ErrorExamples<Unresolved>();
  const counts: Record<Resolution, number> = {
    happened: 0,
    'not-happened': 0,
    'no-effect': 0,
    unresolved: 0,
  };
  const keys = new Set(
    lookups.keys.map((k) => keyIdentity({ request: { accountId: k.accountId, idempotencyKey: k.key } })),
  );
  const profileUpdates = resolveProfileUpdates(lookups, ops);
  for (const op of ops) {
    if (op.type !== 'info') continue;
    let resolution: Resolution;
    let why = '';
    if (READS.has(op.f)) resolution = 'no-effect';
    else if (KEYED_WRITES.has(op.f)) {
      const identity = keyIdentity(op);
      if (!identity || identity.startsWith('\u0000')) {
        resolution = 'unresolved';
        why = 'a write without an idempotency key cannot be looked up';
      } else resolution = keys.has(identity) ? 'happened' : 'not-happened';
    } else if (op.f === 'profile-update') {
      resolution = profileUpdates.get(op) ?? 'unresolved';
      why = 'the profile version cannot tell which of its unknown updates happened';
    } else {
      resolution = 'unresolved';
      why = `no lookup for "${op.f}" operations`;
    }
    counts[resolution]++;
    if (resolution === 'unresolved')
      errors.add({ f: op.f, request: op.request, invokedAt: op.invokedAt, why });
  }
  return errors.result({
    name: 'unknowns-resolved',
    description:
      'Every operation with an unknown outcome was looked up afterwards (its idempotency key, its profile version) and found to have happened or not.',
    figures: {
      unknown: counts.happened + counts['not-happened'] + counts['no-effect'] + counts.unresolved,
      unknown_happened: counts.happened,
      unknown_not_happened: counts['not-happened'],
      unknown_no_effect: counts['no-effect'],
      unresolved: counts.unresolved,
    },
  });
}

/**
 * Per user: updates that happened = version − 1 (each update adds one) − those acknowledged. When that
 * is none or all of the unknown ones, each is resolved; in between, which ones is unknowable.
 */
function resolveProfileUpdates(lookups: Lookups, ops: Completed[]): Map<Completed, Resolution> {
  const versions = new Map(lookups.profiles.map((p) => [p.userId, p.version]));
  const byUser = new Map<string, { acknowledged: number; unknown: Completed[] }>();
  for (const op of ops) {
    if (op.f !== 'profile-update' || op.type === 'fail') continue;
    const userId = (op.request as { userId?: string } | null)?.userId ?? '';
    const entry = byUser.get(userId) ?? { acknowledged: 0, unknown: [] };
    if (op.type === 'ok') entry.acknowledged++;
    else entry.unknown.push(op);
    byUser.set(userId, entry);
  }
  const out = new Map<Completed, Resolution>();
  for (const [userId, { acknowledged, unknown }] of byUser) {
    const version = versions.get(userId);
    if (version === undefined || unknown.length === 0) continue;
    const happened = version - 1 - acknowledged;
    const all: Resolution | null =
      happened === 0 ? 'not-happened' : happened === unknown.length ? 'happened' : null;
    if (all) for (const op of unknown) out.set(op, all);
  }
  return out;
}
