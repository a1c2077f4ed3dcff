import type { Completed, Op } from '../core/history.ts';

/**
 * Pairs each invoke with the next completion of the same process, in invoke order. An invoke that never
 * completed (the run ended, or the process invoked again without completing) becomes `info` with
 * `completedAt: null`: it may have happened. A completion without an open invoke is ignored.
 */
export function complete(history: Op[]): Completed[] {
  const paired: Completed[] = [];
  const open = new Map<number, Completed>();
  for (const op of history) {
    if (op.type === 'invoke') {
      const pending: Completed = {
        process: op.process,
        f: op.f,
        type: 'info',
        request: op.value,
        response: null,
        invokedAt: op.time,
        completedAt: null,
      };
      paired.push(pending);
      open.set(op.process, pending);
      continue;
    }
    const pending = open.get(op.process);
    if (!pending) continue;
    open.delete(op.process);
    pending.type = op.type;
    pending.response = op.value;
    pending.completedAt = op.time;
    if (op.error !== undefined) pending.error = op.error;
  }
  return paired;
}
