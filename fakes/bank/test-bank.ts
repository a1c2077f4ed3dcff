import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { BankControl } from './client.ts';
import { type RunningBank, startBank } from './server.ts';

export interface TestBank extends RunningBank {
  dataDir: string;
  /** The bank's own client (fakes/bank/client.ts), pointed at it. */
  client: BankControl;
}

/** A fresh temp directory per test file, removed by the returned function. */
export async function tempDataDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'faultline-bank-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Starts a real bank on a free loopback port, with a client pointed at it; tests run through HTTP. */
export async function startTestBank(opts: {
  dataDir: string;
  /** Default: a free port; pass the old one to bring a stopped bank back at the same address. */
  port?: number;
  seed?: number;
  timeoutHoldMs?: number;
  clientTimeoutMs?: number;
  /** The bank requires signed requests; the client signs them. */
  signingKey?: string;
}): Promise<TestBank> {
  const bank = await startBank({
    dataDir: opts.dataDir,
    host: '127.0.0.1',
    port: opts.port ?? 0,
    seed: opts.seed ?? 1,
    log: pino({ level: 'silent' }),
    timeoutHoldMs: opts.timeoutHoldMs ?? 5_000,
    signingKey: opts.signingKey,
  });
  const client = new BankControl({
    baseUrl: bank.url,
    timeoutMs: opts.clientTimeoutMs ?? 2_000,
    signingKey: opts.signingKey,
  });
  return { ...bank, dataDir: opts.dataDir, client };
}
