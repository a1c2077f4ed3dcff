import type { Op, Outcome } from '../core/history.ts';
import type { HistoryWriter } from '../report/history-file.ts';

/**
 * Appends every operation to the history, in memory (for the checkers) and to history.jsonl as it
 * happens (so an interrupted run still leaves its history behind), and keeps the live counts.
 */
export class Recorder {
  readonly ops: Op[] = [];
  readonly counts = { ok: 0, fail: 0, info: 0 };
  private nextProcess = 0;
  private readonly started = performance.now();

  constructor(private readonly writer?: HistoryWriter) {}

  /** Milliseconds since the run started. */
  now(): number {
    return Math.round((performance.now() - this.started) * 1000) / 1000;
  }

  /** A fresh logical process id (Jepsen's "process": at most one operation outstanding). */
  process(): number {
    return this.nextProcess++;
  }

  /** Records the invoke, runs the call, records its completion. */
  async run(process: number, f: string, request: unknown, call: () => Promise<Outcome>): Promise<Outcome> {
    this.append({ process, type: 'invoke', f, value: request });
    let outcome: Outcome;
    try {
      outcome = await call();
    } catch (err) {
      outcome = { type: 'info', value: null, error: (err as Error).message };
    }
    this.counts[outcome.type]++;
    this.append({
      process,
      type: outcome.type,
      f,
      value: outcome.value,
      ...(outcome.error ? { error: outcome.error } : {}),
    });
    return outcome;
  }

  get completed(): number {
    return this.counts.ok + this.counts.fail + this.counts.info;
  }

  private append(op: Omit<Op, 'index' | 'time'>): void {
    const full = { index: this.ops.length, time: this.now(), ...op } as Op;
    this.ops.push(full);
    this.writer?.append(full);
  }
}
