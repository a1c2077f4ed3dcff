/**
 * The supervisor's watchdog: one per process that starts server programs (stack/cleanup.ts spawns it
 * on the first one). It reads `+ <pid> <start time>` and `- <pid>` lines on stdin, the process groups
 * its supervisor runs; when stdin closes — the supervisor exited or was SIGKILLed, which no handler of
 * its own can see — it stops every group still listed (SIGTERM, then SIGKILL after GRACE_MS) and exits.
 * So no program outlives the runner that started it, even in a temporary clone no later start reaps.
 *
 *   node --import tsx stack/watchdog.ts    (stdin: the supervisor's pipe)
 */
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { familyOf, isAlive, signalGroup, startTimeOf } from './proc.ts';

/** How long the orphans get to stop on SIGTERM before SIGKILL: under a CI job's own grace. */
const GRACE_MS = 3_000;

const watched = new Map<number, string | undefined>();

createInterface({ input: process.stdin }).on('line', (line) => {
  const [op, pid, startTime] = line.split(' ');
  if (op === '+' && pid) watched.set(Number(pid), startTime);
  if (op === '-' && pid) watched.delete(Number(pid));
});

process.stdin.on('close', () => void orphaned());
// The supervisor's Ctrl-C reaches its whole foreground group; this watchdog stays for the cleanup.
process.on('SIGINT', () => undefined);
process.on('SIGHUP', () => undefined);

/** Every process of the groups still listed that is still the one that was started. */
function orphans(): number[] {
  const pids = new Set<number>();
  for (const [leader, startTime] of watched) {
    const leaderIsOurs = isAlive(leader) && startTimeOf(leader) === startTime;
    for (const pid of familyOf(leader, { leaderIsOurs })) pids.add(pid);
  }
  return [...pids];
}

function signalAll(signal: NodeJS.Signals): void {
  for (const leader of watched.keys()) signalGroup(leader, signal);
  for (const pid of orphans()) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

async function orphaned(): Promise<void> {
  if (orphans().length > 0) {
    signalAll('SIGCONT'); // a paused (SIGSTOP) program would never act on SIGTERM
    signalAll('SIGTERM');
    const deadline = Date.now() + GRACE_MS;
    while (orphans().length > 0 && Date.now() < deadline) await sleep(50);
    signalAll('SIGKILL');
  }
  process.exit(0);
}
