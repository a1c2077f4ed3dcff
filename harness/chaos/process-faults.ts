import type { NativeProcess } from '../../contract/native.ts';
import type { ComponentAction } from '../../contract/target.ts';
import { terminateWithin } from '../../lib/terminate.ts';
import type { Fault } from './nemesis.ts';

/** A part of the target the nemesis can hit: the actions its description gives (harness/target/). */
export interface Hittable {
  name: string;
  run(action: ComponentAction): Promise<void>;
}

/**
 * A process of the native stack as something the nemesis can hit, by signals: for one started during
 * the run (its description, written at start-up, does not list it).
 */
export function signalled(proc: NativeProcess): Hittable {
  const actions: Record<ComponentAction, () => Promise<void>> = {
    kill: async () => {
      proc.kill('SIGKILL');
      await proc.exited;
    },
    terminate: () => terminateWithin(proc, 30_000),
    pause: async () => proc.kill('SIGSTOP'),
    resume: async () => proc.kill('SIGCONT'),
    restart: async () => {
      if (!proc.running) await proc.restart();
    },
  };
  return { name: proc.name, run: (action) => actions[action]() };
}

/** Kill it at once, losing what it held (SIGKILL, `docker kill`…); the heal starts it again. */
export function kill(c: Hittable): Fault {
  return {
    kind: 'kill',
    target: c.name,
    inject: () => c.run('kill'),
    heal: () => c.run('restart'),
  };
}

/** Freeze it: it holds its connections and locks but answers nothing (SIGSTOP); the heal resumes it. */
export function pause(c: Hittable): Fault {
  return {
    kind: 'pause',
    target: c.name,
    inject: () => c.run('pause'),
    heal: () => c.run('resume'),
  };
}

/**
 * Crash a database: kill it mid-traffic (PostgreSQL: the postmaster and every backend). The heal
 * starts it again on the same data, which replays the WAL: committed transactions survive,
 * uncommitted ones vanish.
 */
export function crash(c: Hittable): Fault {
  return { ...kill(c), kind: 'crash' };
}

/**
 * SIGTERM a process of the native stack (a graceful stop, as a deploy does); the heal starts it
 * again. One that has not exited `killAfterMs` later is SIGKILLed, as a deploy tool would: its exit
 * status then says so, which is why this one needs the process itself (`native:processes`).
 */
export function terminate(proc: NativeProcess, { killAfterMs = 30_000 } = {}): Fault {
  return {
    kind: 'terminate',
    target: proc.name,
    inject: () => terminateWithin(proc, killAfterMs),
    heal: async () => {
      if (!proc.running) await proc.restart();
    },
  };
}
