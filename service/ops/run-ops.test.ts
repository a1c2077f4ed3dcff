import { describe, expect, it } from 'vitest';
import type { OpsCommand, OpsContext } from './command.ts';
import { commands } from './commands.ts';
import { opsUsage, runOps } from './run-ops.ts';

/** Runs a command line against a table, recording what ran; the context is a stand-in (no command here uses it). */
async function run(argv: string[], table: readonly OpsCommand[] = commands) {
  const errors: string[] = [];
  let opened = 0;
  const code = await runOps(argv, table, {
    err: (line) => errors.push(line),
    open: async () => {
      opened++;
      return { ...({} as OpsContext), close: async () => {} };
    },
  });
  return { code, errors: errors.join('\n'), opened };
}

describe('runOps', () => {
  it('lists every command of the table in its usage', () => {
    const usage = opsUsage(commands);
    expect(usage).toContain('npm run ops -- review list');
    expect(usage).toContain('npm run ops -- review settle <transferId> --by <who> --reason <why>');
    expect(usage).toContain('npm run ops -- review refund <transferId> --by <who> --reason <why>');
  });

  it.each([
    [[], 'name a command'],
    [['review'], 'unknown command "review"'],
    [['review', 'approve', 'x'], 'unknown command "review approve"'],
    [['review', 'settle'], 'review settle takes <transferId>'],
    [['review', 'settle', 'not-a-uuid', '--by', 'ann', '--reason', 'x'], '"not-a-uuid" is not a transfer id'],
    [['review', 'refund', '0c1d2e3f-0000-4000-8000-000000000000', '--reason', 'x'], '--by <who> is required'],
    [
      ['review', 'refund', '0c1d2e3f-0000-4000-8000-000000000000', '--by', 'ann'],
      '--reason <why> is required',
    ],
    [['review', 'list', '--by', 'ann'], 'takes no --by or --reason'],
    [['review', 'list', '--force'], "Unknown option '--force'"],
  ])('refuses %j with exit 2 before touching anything', async (argv, message) => {
    const result = await run(argv);
    expect(result).toMatchObject({ code: 2, opened: 0 });
    expect(result.errors).toContain(message);
  });

  it('runs a command another area adds to the table, with its input', async () => {
    const seen: unknown[] = [];
    const release: OpsCommand = {
      group: 'fraud',
      name: 'release',
      args: ['<holdId>'],
      decision: true,
      summary: 'release a hold',
      run: async (_ctx, input) => {
        seen.push(input);
        return 0;
      },
    };
    const result = await run(
      ['fraud', 'release', 'h1', '--by', 'ann', '--reason', 'checked'],
      [...commands, release],
    );
    expect(result).toMatchObject({ code: 0, opened: 1 });
    expect(seen).toEqual([{ args: ['h1'], by: 'ann', reason: 'checked' }]);
  });
});
