import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cmdlineOf, familyOf, isAlive, signalGroup, startTimeOf } from './proc.ts';

/**
 * Process-wide safety net: whatever this Node process started is stopped when it is interrupted
 * (SIGINT, SIGTERM, SIGHUP: within STOP_GRACE_MS), crashes, or exits; a watchdog process
 * (stack/watchdog.ts) stops it when this process is SIGKILLed, which no handler sees; and each start is
 * written to a pid ledger, the last resort: the next stack's start in the same checkout reaps it.
 */

/**
 * From the first signal to everything stopped: an orderly stop inside it, SIGKILL at its end. Under the
 * 5–10 s a CI job or a terminal allows before its own SIGKILL, which would leave the stop half done.
 */
export const STOP_GRACE_MS = 4_000;

/** A started child process group, as the registry needs to see it. */
export interface TrackedProcess {
  readonly name: string;
  /** Pid of the group leader (== its process group id), or undefined before it was spawned. */
  readonly pid: number | undefined;
  readonly ledger: string | undefined;
  kill(signal?: NodeJS.Signals): void;
  stop(opts?: { timeoutMs?: number }): Promise<void>;
}

interface LedgerEntry {
  name: string;
  pid: number;
  startTime?: string;
  cmdline?: string;
}

interface Ledger {
  runner: LedgerEntry;
  processes: LedgerEntry[];
}

const live = new Set<TrackedProcess>();
const cleanups: Array<() => Promise<void>> = [];
let shuttingDown = false;

/** Starts watching `proc`: it is killed if this process dies, and listed in its ledger file. */
export function track(proc: TrackedProcess): void {
  live.add(proc);
  installHandlers();
  if (proc.pid !== undefined) tellWatchdog(`+ ${proc.pid} ${startTimeOf(proc.pid) ?? ''}`);
  if (proc.ledger) writeLedger(proc.ledger);
}

/** Stops watching `proc` (it exited or was stopped). */
export function untrack(proc: TrackedProcess): void {
  live.delete(proc);
  if (proc.pid !== undefined) tellWatchdog(`- ${proc.pid}`);
  if (proc.ledger) writeLedger(proc.ledger);
  maybeUninstallHandlers();
}

let watchdog: ChildProcess | undefined;

/**
 * One line to the watchdog, started on the first: in a session of its own (a Ctrl-C to this process's
 * group does not reach it), and unreferenced, so it never keeps this process alive.
 */
function tellWatchdog(line: string): void {
  if (!watchdog) {
    watchdog = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./watchdog.ts', import.meta.url))],
      {
        detached: true,
        stdio: ['pipe', 'ignore', 'ignore'],
        cwd: fileURLToPath(new URL('..', import.meta.url)),
      },
    );
    watchdog.on('error', () => undefined);
    watchdog.stdin?.on('error', () => undefined);
    watchdog.unref();
    // The pipe must not hold this process's event loop open either; its end closing is the signal.
    (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  }
  watchdog.stdin?.write(`${line}\n`);
}

/** Rewrites the ledger after `proc` changed (e.g. became ready and took its final command line). */
export function touch(proc: TrackedProcess): void {
  if (proc.ledger && live.has(proc)) writeLedger(proc.ledger);
}

/**
 * Runs `fn` (an orderly stop) if this process is interrupted; later registrations run first.
 * Returns the function that unregisters it.
 */
export function registerCleanup(fn: () => Promise<void>): () => void {
  cleanups.push(fn);
  installHandlers();
  return () => {
    const at = cleanups.indexOf(fn);
    if (at >= 0) cleanups.splice(at, 1);
    maybeUninstallHandlers();
  };
}

function entryFor(name: string, pid: number): LedgerEntry {
  return { name, pid, startTime: startTimeOf(pid), cmdline: cmdlineOf(pid) };
}

function writeLedger(file: string): void {
  const processes: LedgerEntry[] = [];
  for (const proc of live) {
    if (proc.ledger === file && proc.pid !== undefined) processes.push(entryFor(proc.name, proc.pid));
  }
  try {
    if (processes.length === 0) {
      rmSync(file, { force: true });
      return;
    }
    const ledger: Ledger = { runner: entryFor('runner', process.pid), processes };
    writeFileSync(file, `${JSON.stringify(ledger, null, 2)}\n`);
  } catch {
    // The directory may have been removed under us; the in-memory registry still protects this run.
  }
}

/** True when `entry` still names the very process it was written for (pids are recycled). */
function sameProcess(entry: LedgerEntry): boolean {
  if (!isAlive(entry.pid)) return false;
  if (entry.startTime) return startTimeOf(entry.pid) === entry.startTime;
  return entry.cmdline !== undefined && cmdlineOf(entry.pid) === entry.cmdline;
}

/**
 * Kills the process groups listed in `pids*.json` ledgers under each root's stack directories whose
 * runner is dead. Returns what it killed, as "name (pid) from <dir>".
 */
export function reapStale(roots: string[]): string[] {
  const killed: string[] = [];
  for (const root of new Set(roots)) {
    let dirs: string[];
    try {
      dirs = readdirSync(root, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => join(root, d.name));
    } catch {
      continue;
    }
    for (const dir of dirs) {
      let files: string[];
      try {
        files = readdirSync(dir).filter((f) => /^pids(-\d+)?\.json$/.test(f));
      } catch {
        continue;
      }
      for (const file of files) {
        const path = join(dir, file);
        let ledger: Ledger;
        try {
          ledger = JSON.parse(readFileSync(path, 'utf8')) as Ledger;
        } catch {
          continue;
        }
        if (ledger.runner.pid === process.pid || sameProcess(ledger.runner)) continue;
        for (const entry of ledger.processes) {
          if (!sameProcess(entry)) continue;
          const family = familyOf(entry.pid);
          signalGroup(entry.pid, 'SIGKILL');
          for (const pid of family) signalPid(pid, 'SIGKILL');
          killed.push(`${entry.name} (${entry.pid}) from ${dir}`);
        }
        rmSync(path, { force: true });
      }
    }
  }
  return killed;
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/** SIGKILL every live group at once: the only thing left to do when the process is going down now. */
function killAllNow(): void {
  for (const proc of live) {
    try {
      proc.kill('SIGKILL');
    } catch {
      // Keep going: one failure must not leave the others behind.
    }
  }
}

const signalNumbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

async function onSignal(signal: NodeJS.Signals): Promise<void> {
  const code = 128 + (signalNumbers[signal] ?? 0);
  if (shuttingDown) {
    process.stderr.write(`\n${signal} again: killing ${live.size} process group(s) now\n`);
    killAllNow();
    process.exit(code);
  }
  shuttingDown = true;
  process.stderr.write(
    `\n${signal}: stopping ${live.size} process(es) (${signal} again kills them at once)\n`,
  );
  const orderly = (async () => {
    for (const fn of [...cleanups].reverse()) {
      await fn().catch((err: unknown) => process.stderr.write(`cleanup failed: ${String(err)}\n`));
    }
    await Promise.all([...live].map((proc) => proc.stop().catch(() => undefined)));
  })();
  const graceOver = new Promise<'late'>((resolve) =>
    setTimeout(() => resolve('late'), STOP_GRACE_MS).unref(),
  );
  if ((await Promise.race([orderly, graceOver])) === 'late') {
    process.stderr.write(
      `not stopped within ${STOP_GRACE_MS / 1000} s: killing ${live.size} process group(s)\n`,
    );
  }
  killAllNow();
  process.exit(process.exitCode ?? code);
}

const signalHandlers = new Map<NodeJS.Signals, () => void>(
  (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((signal) => [signal, () => void onSignal(signal)]),
);
let signalsInstalled = false;
let exitHooksInstalled = false;

function installHandlers(): void {
  if (!exitHooksInstalled) {
    exitHooksInstalled = true;
    process.on('exit', killAllNow);
    // Fires before a crash; only act when no other handler is about to keep the process alive.
    process.on('uncaughtExceptionMonitor', (_err, origin) => {
      const event = origin === 'unhandledRejection' ? 'unhandledRejection' : 'uncaughtException';
      if (process.listenerCount(event) === 0) killAllNow();
    });
  }
  if (!signalsInstalled) {
    signalsInstalled = true;
    for (const [signal, handler] of signalHandlers) process.on(signal, handler);
  }
}

/** With nothing left to protect, give signals back their default meaning. */
function maybeUninstallHandlers(): void {
  if (!signalsInstalled || live.size > 0 || cleanups.length > 0 || shuttingDown) return;
  signalsInstalled = false;
  for (const [signal, handler] of signalHandlers) process.off(signal, handler);
}
