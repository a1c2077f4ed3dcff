import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { NativeExtras, NativePlan } from '../../contract/native.ts';
import type { TargetDescription } from '../../contract/target.ts';
import { createUser } from '../../service/accounts/accounts-repo.ts';
import { FRAUD_RULES_WIDE_OPEN } from '../../service/fraud/rules.ts';
import { directClients } from '../direct-clients.ts';
import { allRoles, registerCleanup, type StackOptions, startStack } from '../index.ts';
import { startControl } from './control.ts';
import { describeStack, stackProcesses } from './describe.ts';
import { nativeExtras } from './extras.ts';
import { sabotaged } from './stack-sabotages.ts';

/** A native stack started for one scenario run, as a target: its description and its extras. */
export interface NativeTarget {
  description: TargetDescription;
  extras: NativeExtras;
  /** Runs `fn` first if this process is interrupted (before the stack stops); returns its unregister. */
  onInterrupt(fn: () => Promise<void>): () => void;
  /** Copies every process's log into `logsDir` (now, or again later: it overwrites). */
  copyLogs(logsDir: string): void;
  /** Stops the stack and removes its directory, its logs copied to `logsDir` first. */
  stop(logsDir: string): Promise<void>;
}

/**
 * Starts the reference stack the way a scenario's plan asks (stack/index.ts), with fraud rules wide
 * open unless the plan sets them, and `sabotage` switched on (the service's, or the stack's own:
 * stack-sabotages.ts); then its control listener, an operator for the money, its description and its
 * extras. The harness loads this module only in native mode.
 */
export async function startNativeTarget(opts: {
  plan: NativePlan;
  sabotage: string | null;
  tls: boolean;
  log: (line: string) => void;
  scrape?: StackOptions['scrape'];
}): Promise<NativeTarget> {
  const { plan } = opts;
  const stack = await startStack({
    roles: allRoles.filter((r) => r !== 'recon' || plan.recon),
    workers: plan.workers,
    proxies: plan.proxies,
    topology: plan.topology ?? 'single',
    ...sabotaged(opts.sabotage, {
      // Other workloads pay out thousands of times from a few accounts, which the rules would rightly hold.
      env: { ...FRAUD_RULES_WIDE_OPEN, ...plan.env },
    }),
    log: opts.log,
    tls: opts.tls,
    ...(opts.scrape ? { scrape: opts.scrape } : {}),
  });
  try {
    const direct = directClients(stack, { poolMax: 10 });
    const operator = await createUser(direct.db, 'scenario-operator', { role: 'operator' });
    const control = await startControl({
      pool: direct.db,
      process: (name) => stackProcesses(stack).find((p) => p.name === name)?.proc,
    });
    const description = describeStack(stack, {
      name: 'reference (native)',
      operatorKey: operator.apiKey,
      control,
      ...(opts.sabotage ? { sabotage: opts.sabotage } : {}),
    });
    const copyLogs = (logsDir: string) => cpSync(join(stack.dir, 'logs'), logsDir, { recursive: true });
    return {
      description,
      extras: nativeExtras(stack, direct),
      onInterrupt: registerCleanup,
      copyLogs,
      async stop(logsDir) {
        await control.close().catch(() => undefined);
        await direct.close();
        await stack.stop().catch((err: Error) => opts.log(`stack stop: ${err.message}`));
        copyLogs(logsDir);
        rmSync(stack.dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await stack.stop().catch(() => undefined);
    throw err;
  }
}
