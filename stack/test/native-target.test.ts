import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targetDescriptionSchema } from '../../contract/target.ts';
import { Target } from '../../harness/target/target.ts';
import { type NativeTarget, startNativeTarget } from '../target/native.ts';

// The native stack as faultline's built-in target: its description is a valid one, and every command
// in it works (test users, money, state reads, a worker killed and restarted through the control
// listener), as a black-box run would use them.
const logs = mkdtempSync(join(tmpdir(), 'faultline-native-target-'));
let native: NativeTarget;
let target: Target;
beforeAll(async () => {
  native = await startNativeTarget({
    plan: { workers: 1, recon: true, proxies: true, env: {} },
    sabotage: null,
    tls: false,
    log: () => {},
  });
  target = new Target(native.description, { mode: 'native', native: native.extras });
}, 120_000);
afterAll(async () => {
  await target?.close();
  await native?.stop(logs);
  rmSync(logs, { recursive: true, force: true });
});

describe('the native target', () => {
  it('is described by a valid description that gives every described capability', () => {
    expect(targetDescriptionSchema.safeParse(native.description).success).toBe(true);
    for (const c of [
      'users',
      'funding',
      'state',
      'state:profiles',
      'bank',
      'recon',
      'kill:worker',
      'pause:worker',
    ])
      expect(target.capabilities.has(c as never), c).toBe(true);
    for (const link of ['postgres', 'redis-queue', 'redis-cache', 'bank'])
      expect(target.capabilities.has(`link:${link}` as never), link).toBe(true);
  });

  it('makes users and money through its commands, and reads them back', async () => {
    const user = await target.createUser('native-target-test');
    const opened = await target.api.openAccount(user.apiKey, 'USD');
    const accountId = (opened.value as { body: { id: string } }).body.id;
    await target.fund(accountId, 4_200, 'USD');
    const [account] = (await target.state?.accounts([accountId])) ?? [];
    expect(account).toEqual({ id: accountId, balance: 4_200, ledgerSum: 4_200, fundedNet: 4_200 });
    expect(await target.state?.open([accountId])).toEqual({ transfers: 0, amount: 0 });
  });

  it('kills and restarts a worker through its commands', async () => {
    const [worker] = target.components('worker');
    if (!worker) throw new Error('no worker component');
    const process = native.extras.process(worker.name);
    const pid = process.pid;
    await worker.run('kill');
    expect(process.running).toBe(false);
    await worker.run('restart');
    expect(process.running).toBe(true);
    expect(process.pid).not.toBe(pid);
  });

  it('runs its reconciliation on demand', async () => {
    const run = await target.recon();
    expect(run).toMatchObject({ ok: true, status: 200 });
  });
});
