import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type TrackedProcess, touch, track, untrack } from './cleanup.ts';
import { familyOf, groupMembers, isAlive, signalGroup, startTimeOf } from './proc.ts';

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One started program (and the process group it leads). */
export interface ProcessHandle {
  readonly name: string;
  /** Pid of the current incarnation; it is also the process group id. */
  readonly pid: number;
  readonly logFile: string;
  readonly port?: number;
  readonly running: boolean;
  /** Settles when the current incarnation exits. */
  readonly exited: Promise<ExitStatus>;
  /** Sends `signal` (default SIGTERM) to the whole process group. */
  kill(signal?: NodeJS.Signals): void;
  /** Graceful stop, then SIGKILL of the group after `timeoutMs`; resolves once no member is left. */
  stop(opts?: { timeoutMs?: number }): Promise<void>;
  /** Starts again with the same command, port and environment, and waits until ready. */
  restart(): Promise<void>;
}

/** How to run and probe one kind of process. */
export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
  port?: number;
  /** Resolves true once the process serves; polled until then. Should give up within ~1 s. */
  ready: () => Promise<boolean>;
  readyTimeoutMs?: number;
  /** The signal that asks for an orderly shutdown (SIGTERM unless the program wants another). */
  stopSignal?: NodeJS.Signals;
  stopTimeoutMs?: number;
  /** Runs before every start, e.g. to clear a lock file that a SIGKILL left behind. */
  beforeStart?: () => void | Promise<void>;
  /** Pid ledger file this process is listed in (see cleanup.ts). */
  ledger?: string;
}

/** The process exited, or never answered its readiness probe; the message carries its log's tail. */
export class ProcessStartError extends Error {
  constructor(
    readonly processName: string,
    readonly reason: string,
    readonly logFile: string,
    readonly logTail: string[],
  ) {
    const tail = logTail.length > 0 ? logTail.map((l) => `  | ${l}`).join('\n') : '  | (log is empty)';
    super(`${processName} ${reason} (log: ${logFile}); last lines of its log:\n${tail}`);
    this.name = 'ProcessStartError';
  }
}

/** The last `lines` lines of a (possibly large) log file. */
export function logTail(file: string, lines = 20): string[] {
  let fd: number | undefined;
  try {
    const size = statSync(file).size;
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    fd = openSync(file, 'r');
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8').split('\n').filter(Boolean).slice(-lines);
  } catch {
    return [];
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function describe(status: ExitStatus): string {
  return status.signal ? `was killed by ${status.signal}` : `exited with code ${status.code}`;
}

const POLL_MS = 100;

/** `promise`, or `fallback` after `ms`; the timer is cleared either way so it never holds the process open. */
async function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<F>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Opens the log for appending and marks where this incarnation starts. */
function openLog(spec: ProcessSpec): number {
  mkdirSync(dirname(spec.logFile), { recursive: true });
  const banner = `\n---- ${new Date().toISOString()} starting ${spec.name}: ${spec.command} ${spec.args.join(' ')}\n`;
  appendFileSync(spec.logFile, banner);
  return openSync(spec.logFile, 'a');
}

function spawnLogged(spec: ProcessSpec): ChildProcess {
  // vitest's unit project sets it: a test there that reaches for a server belongs in a test/ folder.
  if (process.env.FAULTLINE_NO_STACK) {
    throw new Error(
      `${spec.name}: the unit tests start no server program; move this test into a test/ folder`,
    );
  }
  const fd = openLog(spec);
  try {
    return spawn(spec.command, spec.args, {
      // Own process group, so kill() reaches the program's children too (Postgres backends).
      detached: true,
      stdio: ['ignore', fd, fd],
      env: spec.env ?? process.env,
      cwd: spec.cwd,
      uid: spec.uid,
      gid: spec.gid,
    });
  } finally {
    // The child holds its own copy of the descriptor.
    closeSync(fd);
  }
}

/** Runs a program to completion with its output in `spec.logFile`; throws with the log's tail on failure. */
export async function runToCompletion(spec: Omit<ProcessSpec, 'ready'>): Promise<void> {
  const child = spawnLogged({ ...spec, ready: async () => true });
  const status = await new Promise<ExitStatus>((resolve) => {
    child.once('error', () => resolve({ code: null, signal: null }));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  if (status.code !== 0) {
    throw new ProcessStartError(
      spec.name,
      `failed: it ${describe(status)}`,
      spec.logFile,
      logTail(spec.logFile),
    );
  }
}

/** A child process group with readiness, restart and an orderly stop. */
export class ManagedProcess implements ProcessHandle, TrackedProcess {
  #exited: Promise<ExitStatus> = Promise.resolve({ code: null, signal: null });
  #running = false;
  #lastPid: number | undefined;
  /** Family members seen so far, with their start times; see #family(). */
  readonly #known = new Map<number, string | undefined>();

  constructor(protected readonly spec: ProcessSpec) {}

  get name(): string {
    return this.spec.name;
  }
  get pid(): number {
    if (this.#lastPid === undefined) throw new Error(`${this.name} has not been started`);
    return this.#lastPid;
  }
  get logFile(): string {
    return this.spec.logFile;
  }
  get port(): number | undefined {
    return this.spec.port;
  }
  get running(): boolean {
    return this.#running;
  }
  get exited(): Promise<ExitStatus> {
    return this.#exited;
  }
  get ledger(): string | undefined {
    return this.spec.ledger;
  }

  /** Spawns the program and resolves once its probe answers; throws ProcessStartError otherwise. */
  async start(): Promise<void> {
    if (this.#running) throw new Error(`${this.name} is already running (pid ${this.#lastPid})`);
    await this.spec.beforeStart?.();
    const child = spawnLogged(this.spec);
    let exitStatus: ExitStatus | undefined;
    let spawnError: Error | undefined;
    this.#exited = new Promise<ExitStatus>((resolve) => {
      const settle = (status: ExitStatus) => {
        if (exitStatus) return;
        exitStatus = status;
        this.#running = false;
        untrack(this);
        resolve(status);
      };
      child.once('exit', (code, signal) => settle({ code, signal }));
      child.once('error', (err) => {
        spawnError = err;
        settle({ code: null, signal: null });
      });
    });
    if (child.pid === undefined) {
      await this.#exited;
      throw new Error(
        `${this.name}: could not run ${this.spec.command}: ${spawnError?.message ?? 'spawn failed'}`,
      );
    }
    this.#lastPid = child.pid;
    this.#running = true;
    track(this);
    await this.#waitReady(() => exitStatus);
    touch(this);
  }

  async #waitReady(exitStatus: () => ExitStatus | undefined): Promise<void> {
    const timeoutMs = this.spec.readyTimeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    const exitedError = (status: ExitStatus) =>
      new ProcessStartError(
        this.name,
        `${describe(status)} before it was ready`,
        this.logFile,
        logTail(this.logFile),
      );
    for (;;) {
      const before = exitStatus();
      if (before) throw exitedError(before);
      const probe = this.spec.ready().catch(() => false);
      const ready = await within(Promise.race([probe, this.#exited.then(() => false)]), 2_000, false);
      const after = exitStatus();
      if (after) throw exitedError(after);
      if (ready) return;
      if (Date.now() > deadline) {
        await this.stop({ timeoutMs: 0 });
        throw new ProcessStartError(
          this.name,
          `was not ready after ${timeoutMs / 1000} s and was killed`,
          this.logFile,
          logTail(this.logFile),
        );
      }
      await within(this.#exited, POLL_MS, undefined);
    }
  }

  /** Live members of the family, remembering each (with its start time) for the sweep after exit. */
  #family(): number[] {
    const leader = this.#lastPid;
    if (leader === undefined) return [];
    const live = familyOf(leader, { leaderIsOurs: this.#running });
    for (const pid of live) if (!this.#known.has(pid)) this.#known.set(pid, startTimeOf(pid));
    // Members seen before that are still the same processes (pids get recycled).
    for (const [pid, startTime] of this.#known) {
      if (!isAlive(pid) || startTimeOf(pid) !== startTime) this.#known.delete(pid);
    }
    return [...this.#known.keys()];
  }

  /** Sends `signal` to the process group and to every descendant that left it (Postgres backends). */
  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    const leader = this.#lastPid;
    if (leader === undefined) return;
    const family = this.#family();
    // A group id stays ours while the group has members (Linux never reuses it as a pid meanwhile).
    const group = new Set(groupMembers(leader));
    if (this.#running || group.size > 0) signalGroup(leader, signal);
    for (const pid of family) {
      if (group.has(pid) || pid === leader) continue;
      try {
        process.kill(pid, signal);
      } catch {
        // Already gone.
      }
    }
  }

  async stop({ timeoutMs = this.spec.stopTimeoutMs ?? 10_000 }: { timeoutMs?: number } = {}): Promise<void> {
    if (this.#lastPid === undefined) return;
    if (this.#running) {
      // A frozen (SIGSTOP) process would never act on the stop signal.
      this.kill('SIGCONT');
      // The orderly stop goes to the group only: a program like the postmaster shuts its own
      // children down, and a stray SIGINT/SIGTERM to one of them means something else.
      signalGroup(this.#lastPid, this.spec.stopSignal ?? 'SIGTERM');
      const graceful = await within(
        this.#exited.then(() => true),
        timeoutMs,
        false,
      );
      if (!graceful) this.kill('SIGKILL');
      await this.#exited;
    }
    await this.#sweep();
  }

  /** SIGKILLs family members that outlived the leader and waits until none is left. */
  async #sweep(): Promise<void> {
    const deadline = Date.now() + 5_000;
    for (let left = this.#family(); left.length > 0; left = this.#family()) {
      this.kill('SIGKILL');
      if (Date.now() > deadline) {
        throw new Error(`${this.name}: processes ${left.join(', ')} still alive after SIGKILL`);
      }
      await sleep(20);
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}
