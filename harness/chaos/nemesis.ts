import type { FaultEvidence, FaultWindow } from '../core/fault-window.ts';

/** A fault and its heal. inject() breaks something; heal() undoes it and must be safe to call twice. */
export interface Fault {
  /** 'kill', 'pause', 'terminate', 'crash', 'cut', 'latency', 'bank-fault', ... */
  kind: string;
  /** What it hits: a process name, a proxy, the bank. */
  target: string;
  inject(): Promise<void>;
  heal(): Promise<void>;
  /**
   * What live work the fault hit (chaos/evidence.ts), read once it is healed. A fault without it cannot
   * show it hit anything, so a scenario relying on it alone ends `vacuous`.
   */
  evidence?(window: FaultWindow): Promise<FaultEvidence>;
}

/** What a watcher of the nemesis hears: a fault window opened (injected) or closed (healed). */
export interface FaultEvent {
  type: 'injected' | 'healed';
  window: FaultWindow;
}

/**
 * Injects faults and remembers each one's heal, so that healAll() — run by the runner at the end of
 * every scenario, whether it passed, failed or was interrupted — leaves nothing broken. Every fault's
 * window (inject → heal) is recorded for the result and the dashboards.
 */
export class Nemesis {
  readonly windows: FaultWindow[] = [];
  private readonly active = new Map<Fault, FaultWindow>();

  constructor(
    private readonly now: () => number,
    private readonly log: (line: string) => void = () => {},
    /** Hears every window open and close, e.g. to mark it on dashboards (harness/report/run-observer.ts). */
    private readonly watch: (event: FaultEvent) => void = () => {},
  ) {}

  /** Injects a fault; it stays active until heal(fault) or healAll(). */
  async inject(fault: Fault, note?: string): Promise<void> {
    const window: FaultWindow = {
      kind: fault.kind,
      target: fault.target,
      startedAt: this.now(),
      endedAt: null,
    };
    if (note) window.note = note;
    this.windows.push(window);
    this.active.set(fault, window);
    this.log(`fault: ${fault.kind} ${fault.target}${note ? ` (${note})` : ''}`);
    this.watch({ type: 'injected', window });
    await fault.inject();
  }

  /** Heals one active fault. */
  async heal(fault: Fault): Promise<void> {
    const window = this.active.get(fault);
    if (!window) return;
    await fault.heal();
    window.endedAt = this.now();
    this.active.delete(fault);
    if (fault.evidence) {
      window.evidence = await fault
        .evidence(window)
        .catch((err: Error) => ({ hits: 0, what: `evidence unreadable: ${err.message}` }));
    }
    const hit = window.evidence ? `; hit ${window.evidence.hits} ${window.evidence.what}` : '';
    this.log(`healed: ${fault.kind} ${fault.target}${hit}`);
    this.watch({ type: 'healed', window });
  }

  /** Heals every active fault, newest first; one heal failing does not stop the others. */
  async healAll(): Promise<Error[]> {
    const errors: Error[] = [];
    for (const fault of [...this.active.keys()].reverse()) {
      await this.heal(fault).catch((err: Error) => {
        errors.push(new Error(`heal of ${fault.kind} ${fault.target} failed: ${err.message}`));
      });
    }
    return errors;
  }

  /** "kill worker-1, cut redis-queue" — what is broken right now, for the progress line. */
  activeLabel(): string | null {
    const labels = [...this.active.keys()].map((f) => `${f.kind} ${f.target}`);
    return labels.length ? labels.join(', ') : null;
  }
}

/** The no-op nemesis fault, so a scenario can be built one piece at a time. */
export const noFault: Fault = { kind: 'none', target: '-', inject: async () => {}, heal: async () => {} };
