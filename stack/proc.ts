import { readdirSync, readFileSync } from 'node:fs';

/**
 * What /proc says about a process (Linux). Elsewhere these degrade to what `kill(pid, 0)` can tell,
 * which cannot see zombies or recycled pids.
 */

const hasProc = process.platform === 'linux';

interface ProcStat {
  state: string;
  pgrp: number;
  /** Clock ticks after boot: with the pid, it names one process for good (pids get recycled). */
  startTime: string;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may hold spaces and parentheses: the fields we want follow its last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const [state, , pgrp] = fields;
    const startTime = fields[19];
    if (!state || !pgrp || !startTime) return undefined;
    return { state, pgrp: Number(pgrp), startTime };
  } catch {
    return undefined;
  }
}

/** Alive and not a zombie. */
export function isAlive(pid: number): boolean {
  if (hasProc) {
    const stat = readStat(pid);
    return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The process's start time in clock ticks after boot, or undefined (gone, or no /proc). */
export function startTimeOf(pid: number): string | undefined {
  return hasProc ? readStat(pid)?.startTime : undefined;
}

/** The process's command line with NULs turned into spaces, or undefined when gone. */
export function cmdlineOf(pid: number): string | undefined {
  if (!hasProc) return undefined;
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.replace(/\0+$/, '').replaceAll('\0', ' ') || undefined;
  } catch {
    return undefined;
  }
}

/** The state letter of a process (R, S, T for stopped, Z for zombie…), or undefined. */
export function stateOf(pid: number): string | undefined {
  return readStat(pid)?.state;
}

/** Live (non-zombie) members of process group `pgid`. */
export function groupMembers(pgid: number): number[] {
  if (!hasProc) {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch {
      return [];
    }
  }
  return [...processTable()].filter(([, p]) => p.pgrp === pgid).map(([pid]) => pid);
}

interface ProcEntry {
  ppid: number;
  pgrp: number;
}

/** Every live (non-zombie) process, by pid. */
function processTable(): Map<number, ProcEntry> {
  const table = new Map<number, ProcEntry>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid, pgrp] = text.slice(text.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z' || state === 'X') continue;
      table.set(Number(entry), { ppid: Number(ppid), pgrp: Number(pgrp) });
    } catch {
      // Exited while we were looking.
    }
  }
  return table;
}

/**
 * The live processes a leader is responsible for: its process group plus all its descendants.
 * Descendants matter because some programs move their children to groups of their own (every
 * PostgreSQL backend calls setsid()), so a group signal alone would miss them.
 * Pass leaderIsOurs: false once the leader has exited.
 */
export function familyOf(leader: number, { leaderIsOurs = true }: { leaderIsOurs?: boolean } = {}): number[] {
  if (!hasProc) return groupMembers(leader);
  const table = processTable();
  const children = new Map<number, number[]>();
  for (const [pid, p] of table) children.set(p.ppid, [...(children.get(p.ppid) ?? []), pid]);
  const family = new Set<number>();
  // A pid that is in use as a process group id is never handed out again, but a dead leader's own pid
  // may have been: only count it when the caller knows it is still ours.
  for (const [pid, p] of table) if ((leaderIsOurs && pid === leader) || p.pgrp === leader) family.add(pid);
  const queue = [...family];
  for (let parent = queue.pop(); parent !== undefined; parent = queue.pop()) {
    for (const child of children.get(parent) ?? []) {
      if (family.has(child)) continue;
      family.add(child);
      queue.push(child);
    }
  }
  return [...family];
}

/** Sends `signal` to process group `pgid`; a group that is already gone is not an error. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}
