import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { type StackInfo, startStack } from './index.ts';
import type { ServiceInfo } from './info.ts';

/** What tests get from inject('stack'): the global stack always runs the bank. */
export type TestStackInfo = StackInfo & { bank: ServiceInfo };

declare module 'vitest' {
  export interface ProvidedContext {
    stack: TestStackInfo;
  }
}

/**
 * One stack for the whole test run: PostgreSQL, both Redis servers and the bank. Tests start the
 * other roles themselves (startService + serviceEnvFrom(inject('stack'))) so they can kill them.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (line: string) => process.stderr.write(`[stack] ${line}\n`);
  const stack = await startStack({ roles: ['bank'], log });
  const info = stack.info();
  if (!info.bank) throw new Error('the test stack started without its bank');
  project.provide('stack', { ...info, bank: info.bank });

  return async function teardown() {
    await stack.stop();
    const state = project.vitest.state;
    const failed =
      state.getCountOfFailedTests() > 0 ||
      state.getFailedFilepaths().length > 0 ||
      state.getUnhandledErrors().length > 0;
    if (failed) {
      log(`tests failed: keeping ${stack.dir} (logs in ${info.logDir})`);
    } else {
      rmSync(stack.dir, { recursive: true, force: true });
    }
  };
}
