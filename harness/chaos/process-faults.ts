import type { ProcessHandle } from '../../stack/index.ts';
import type { Fault } from './nemesis.ts';

/** SIGKILL a process (and its children); the heal starts it again. */
export function kill(proc: ProcessHandle): Fault {
  return {
    kind: 'kill',
    target: proc.name,
    inject: async () => {
      proc.kill('SIGKILL');
      await proc.exited;
    },
    heal: async () => {
      if (!proc.running) await proc.restart();
    },
  };
}

/** SIGSTOP a process: it holds its connections and locks but answers nothing; the heal is SIGCONT. */
export function pause(proc: ProcessHandle): Fault {
  return {
    kind: 'pause',
    target: proc.name,
    inject: async () => proc.kill('SIGSTOP'),
    heal: async () => proc.kill('SIGCONT'),
  };
}

/**
 * SIGTERM a process (a graceful stop, as a deploy does); the heal starts it again. One that has not
 * exited `killAfterMs` later is SIGKILLed, as a deploy tool would: its exit status then says so.
 */
export function terminate(proc: ProcessHandle, { killAfterMs = 30_000 } = {}): Fault {
  return {
    kind: 'terminate',
    target: proc.name,
    inject: async () => {
      proc.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), killAfterMs);
      });
      const exited = await Promise.race([proc.exited, late]);
      clearTimeout(timer);
      if (exited === 'late') {
        proc.kill('SIGKILL');
        await proc.exited;
      }
    },
    heal: async () => {
      if (!proc.running) await proc.restart();
    },
  };
}

/**
 * Crash PostgreSQL: SIGKILL the postmaster and every backend mid-traffic. The heal restarts it on the
 * same data directory, which replays the WAL: committed transactions survive, uncommitted ones vanish.
 */
export function crashPostgres(postgres: ProcessHandle): Fault {
  return { ...kill(postgres), kind: 'crash' };
}
