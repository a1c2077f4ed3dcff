import type { CheckResult } from '../core/check-result.ts';

/** What the scenario saw of the queue Redis while it was held at its memory limit. */
export interface QueueAtLimit {
  /** Writes of ours the queue Redis refused with an OOM error. */
  oomRefusals: number;
  /** Writes that failed any other way (a timeout, a dropped connection): not clean. */
  otherFailures: string[];
  /** PINGs answered while it was at the limit, and asked. */
  pingsAnswered: number;
  pingsAsked: number;
  /** Keys evicted meanwhile (INFO stats evicted_keys, after minus before): must be 0 (noeviction). */
  evicted: number;
  /** Relay batches the service saw refused (outbox_relay_errors_total delta). */
  relayRefusals: number;
}

/** The queue Redis at its limit refused writes with OOM errors, kept answering, and evicted nothing. */
export function queueRefusedCleanly(o: QueueAtLimit): CheckResult {
  const problems: string[] = [];
  if (o.oomRefusals === 0) problems.push('no write was refused with OOM: the limit was never reached');
  for (const f of o.otherFailures) problems.push(`a write failed otherwise: ${f}`);
  if (o.pingsAnswered < o.pingsAsked) problems.push(`${o.pingsAsked - o.pingsAnswered} PINGs unanswered`);
  if (o.evicted > 0) problems.push(`${o.evicted} keys evicted from the queue Redis`);
  return {
    name: 'queue-refused-cleanly',
    description:
      'At its memory limit the queue Redis refused writes with OOM errors, stayed up and evicted no job.',
    valid: problems.length === 0,
    errorCount: problems.length,
    ...(problems.length
      ? { first: problems[0], worst: problems[0], last: problems[problems.length - 1] }
      : {}),
    figures: { oom_refusals: o.oomRefusals, relay_refusals: o.relayRefusals, evicted: o.evicted },
  };
}

/** What the scenario saw of the cache Redis while it was filled past its memory limit. */
export interface CacheAtLimit {
  /** Filler writes accepted and refused. */
  writesAccepted: number;
  writesRefused: number;
  /** INFO stats evicted_keys delta. */
  evicted: number;
  /** cache_requests_total{result="hit"} delta of every API process during the fill. */
  hits: number;
}

/** The cache Redis at its limit kept accepting writes by evicting, and kept serving hits. */
export function cacheKeptServing(o: CacheAtLimit): CheckResult {
  const problems: string[] = [];
  if (o.writesRefused > 0) problems.push(`${o.writesRefused} writes refused: a cache must evict, not refuse`);
  if (o.evicted === 0) problems.push('nothing was evicted: the limit was never reached');
  if (o.hits === 0) problems.push('no cache hit while full: the API stopped serving from the cache');
  return {
    name: 'cache-kept-serving',
    description:
      'Filled past its memory limit, the cache Redis evicted, accepted every write and served hits.',
    valid: problems.length === 0,
    errorCount: problems.length,
    ...(problems.length
      ? { first: problems[0], worst: problems[0], last: problems[problems.length - 1] }
      : {}),
    figures: {
      writes_accepted: o.writesAccepted,
      writes_refused: o.writesRefused,
      evicted: o.evicted,
      hits: o.hits,
    },
  };
}
