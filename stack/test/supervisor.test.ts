// A supervisor's children do not outlive it: not when it is SIGKILLed (a CI job's timeout), and not
// when a child ignores the orderly stop (the stop ends within its grace).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive } from '../proc.ts';
import { repoRoot } from '../service.ts';

const dir = mkdtempSync(join(tmpdir(), 'faultline-supervisor-'));
const started: ChildProcess[] = [];
afterAll(() => {
  for (const c of started) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the fixture supervisor and resolves with the pids of the programs it started. */
async function supervisor(what: 'redis' | 'stubborn'): Promise<{ child: ChildProcess; pids: number[] }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'stack/test/fixtures/supervisor.ts', join(dir, what), what],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  started.push(child);
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0] as string);
    });
    child.once('exit', (code) => reject(new Error(`the supervisor exited (${code}) before starting`)));
  });
  return { child, pids: (JSON.parse(line) as { pids: number[] }).pids };
}

/** Polls until none of `pids` is alive, or gives up after `withinMs`; returns those still alive. */
async function survivors(pids: number[], withinMs: number): Promise<number[]> {
  const deadline = Date.now() + withinMs;
  while (pids.some(isAlive) && Date.now() < deadline) await sleep(100);
  return pids.filter(isAlive);
}

describe('a supervisor', () => {
  it('takes its server programs down with it when it is SIGKILLed', async () => {
    const { child, pids } = await supervisor('redis');
    expect(pids.every(isAlive)).toBe(true);
    child.kill('SIGKILL');
    expect(await survivors(pids, 20_000)).toEqual([]);
  });

  it('ends its stop within the grace when a program ignores SIGTERM', async () => {
    const { child, pids } = await supervisor('stubborn');
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    // The program would be given ten minutes: the supervisor exiting at all is the grace at work.
    expect(await exited).toBe(130);
    expect(await survivors(pids, 5_000)).toEqual([]);
  });
});
