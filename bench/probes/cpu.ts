import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { familyOf } from '../../stack/proc.ts';

/**
 * CPU time of whole process families from /proc (Linux): a role's process group and every descendant
 * (PostgreSQL's backends call setsid(), so the group alone would miss them), plus what the leader's
 * reaped children used (cutime/cstime), so a backend that exits inside a window is still counted.
 */

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ). */
const TICKS_PER_S = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime (+ cutime + cstime with `children`) of one process, in ms; 0 when gone. */
function processMs(pid: number, { children }: { children: boolean }): number {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after comm (which may hold spaces): state is field 3, utime field 14.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]) + (children ? Number(f[13]) + Number(f[14]) : 0);
    return (ticks * 1000) / TICKS_PER_S;
  } catch {
    return 0;
  }
}

/** CPU ms used so far by the family led by `leader`. */
export function familyCpuMs(leader: number): number {
  let ms = 0;
  for (const pid of familyOf(leader)) ms += processMs(pid, { children: pid === leader });
  return ms;
}

/** A named set of process families to measure together (e.g. `worker` = every worker process). */
export type CpuTargets = Record<string, () => number[]>;

/** CPU ms per name between start() and stop(); `self` is this process (the load generator). */
export class CpuMeter {
  #start: Record<string, number> = {};
  #selfStart = process.cpuUsage();
  #startedAt = performance.now();

  constructor(private readonly targets: CpuTargets) {}

  /** CPU ms used so far by each named set of families (not since start()). */
  read(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, leaders] of Object.entries(this.targets)) {
      out[name] = leaders().reduce((ms, pid) => ms + familyCpuMs(pid), 0);
    }
    return out;
  }

  start(): void {
    this.#start = this.read();
    this.#selfStart = process.cpuUsage();
    this.#startedAt = performance.now();
  }

  /** CPU ms per name since start(), `harness` for this process (load generator and probes), and `wallMs`. */
  stop(): { cpuMs: Record<string, number>; wallMs: number } {
    const end = this.read();
    const self = process.cpuUsage(this.#selfStart);
    const cpuMs: Record<string, number> = {};
    for (const [name, ms] of Object.entries(end)) {
      cpuMs[name] = Math.max(0, Math.round(ms - (this.#start[name] ?? 0)));
    }
    cpuMs.harness = Math.round((self.user + self.system) / 1000);
    return { cpuMs, wallMs: performance.now() - this.#startedAt };
  }
}
