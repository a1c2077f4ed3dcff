import type { CheckResult } from '../core/check-result.ts';
import type { Completed } from '../core/history.ts';
import { ErrorExamples } from './error-examples.ts';

/** A job a worker held when it was told to stop, as the queue shows it afterwards (null: gone). */
export interface DrainedJob {
  id: string;
  /** The worker name (host:pid) that held it at SIGTERM. */
  heldBy: string;
  job: { finishedOn?: number; failedReason?: string; processedBy?: string; stalledCounter: number } | null;
}

/**
 * Every job a worker held when it got SIGTERM was finished by that same worker before it exited: none
 * abandoned to the stalled-job check and taken over by another.
 */
export function inFlightFinished(jobs: DrainedJob[]): CheckResult {
  const errors = new ErrorExamples<{ kind: string; jobId: string; heldBy: string; detail?: unknown }>();
  let takenOver = 0;
  for (const { id, heldBy, job } of jobs) {
    if (!job) {
      errors.add({ kind: 'job-gone', jobId: id, heldBy });
      continue;
    }
    const { finishedOn, processedBy, stalledCounter } = job;
    if (stalledCounter > 0 || processedBy !== heldBy) {
      takenOver++;
      errors.add({ kind: 'taken-over', jobId: id, heldBy, detail: { processedBy, stalledCounter } });
    } else if (!finishedOn) errors.add({ kind: 'unfinished', jobId: id, heldBy });
  }
  return errors.result({
    name: 'in-flight-finished',
    description:
      'Every job a worker held at SIGTERM was finished by that worker before it exited, none taken over as a stalled job.',
    figures: { inFlightAtStop: jobs.length, takenOver },
  });
}

/**
 * Every payout a client saw fail or go unanswered (a restarting process refused or dropped it) was
 * resolved by a retry with the same Idempotency-Key: the last answer for each key is a definite one.
 */
export function clientErrorsResolved(
  ops: Completed[],
  fs: readonly string[] = ['payout', 'replay'],
): CheckResult {
  const byKey = new Map<string, Completed[]>();
  for (const op of ops) {
    if (!fs.includes(op.f)) continue;
    const key = (op.request as { idempotencyKey?: string } | null)?.idempotencyKey ?? '';
    const list = byKey.get(key);
    if (list) list.push(op);
    else byKey.set(key, [op]);
  }
  const errors = new ErrorExamples<{
    key: string;
    attempts: number;
    last: { type: string; error?: string };
  }>();
  let errored = 0;
  for (const [key, list] of byKey) {
    if (list.every((o) => o.type === 'ok')) continue;
    errored++;
    const last = list[list.length - 1] as Completed;
    if (last.type !== 'ok')
      errors.add(
        {
          key,
          attempts: list.length,
          last: { type: last.type, ...(last.error ? { error: last.error } : {}) },
        },
        { score: list.length },
      );
  }
  return errors.result({
    name: 'client-errors-resolved',
    description: 'Every payout whose call failed or went unanswered was resolved by a keyed retry.',
    figures: { keys: byKey.size, keysWithErrors: errored },
  });
}

/** How a process ended after its SIGTERM, and how long that took. */
export interface StopRecord {
  process: string;
  drainMs: number;
  code: number | null;
  signal: string | null;
}

/**
 * Every process told to stop exited by itself, cleanly (code 0), within the deploy's patience: none had
 * to be SIGKILLed because something (a busy kept-alive connection, a hung job) held its shutdown open.
 */
export function drainedInTime(stops: StopRecord[], limitMs: number): CheckResult {
  const errors = new ErrorExamples<StopRecord>();
  for (const s of stops) if (s.code !== 0 || s.signal !== null) errors.add(s, { score: s.drainMs });
  return errors.result({
    name: 'drained-in-time',
    description: `Every process exited by itself, with code 0, within ${limitMs / 1000} s of its SIGTERM.`,
    figures: { stopped: stops.length },
  });
}
