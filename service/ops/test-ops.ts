import type { OpsContext, OpsGroup } from './command.ts';
import { groups } from './commands.ts';
import { runOps } from './run-ops.ts';

/** A bank for tests that have none: any call fails, as an unreachable bank would. */
const noBank: OpsContext['bank'] = {
  lookup: () => Promise.reject(new Error('this test has no bank')),
  void: () => Promise.reject(new Error('this test has no bank')),
};

/**
 * `npm run ops -- …` in a test: the one runner with the real groups (or `table`), against the test's
 * database and bank, recording what it printed and whether it opened its context.
 */
export function opsForTest(
  ctx: Pick<OpsContext, 'config' | 'pool'> & { bank?: OpsContext['bank'] },
  table: readonly OpsGroup[] = groups,
) {
  return async (...argv: string[]) => {
    const out: string[] = [];
    const notes: string[] = [];
    const errors: string[] = [];
    let opened = 0;
    const code = await runOps(argv, table, {
      out: (text) => out.push(text),
      err: (text) => errors.push(text),
      open: async () => {
        opened++;
        return {
          config: ctx.config,
          pool: ctx.pool,
          bank: ctx.bank ?? noBank,
          out: (line) => out.push(line),
          note: (line) => notes.push(line),
          close: async () => {},
        };
      },
    });
    return { code, out, notes, errors: errors.join('\n'), opened };
  };
}
