import { describe, expect, it } from 'vitest';
import type { Config } from '../config.ts';
import type { OpsContext, OpsGroup, OpsInput } from './command.ts';
import { transferIdArg } from './command.ts';
import { groups } from './commands.ts';
import { opsUsage, runOps } from './run-ops.ts';
import { opsForTest } from './test-ops.ts';

// No database here: every case is settled by the command line alone, so nothing may be opened.
const standIn = { config: {} as Config, pool: {} as OpsContext['pool'] };
const ops = opsForTest(standIn);
const id = '0c1d2e3f-0000-4000-8000-000000000000';
const who = ['--by', 'ann', '--reason', 'checked'];

describe('npm run ops: one runner, every group', () => {
  it('--help prints every command of every group, and opens nothing', async () => {
    const help = await ops('--help');
    expect(help).toMatchObject({ code: 0, opened: 0 });
    const text = help.out.join('\n');
    for (const g of groups)
      for (const c of g.commands) expect(text).toContain(`npm run ops -- ${g.name} ${c.name}`);
    for (const line of [
      'npm run ops -- review list [--limit <N>]',
      'npm run ops -- review settle <transferId> --by <who> --reason <why>',
      'npm run ops -- review refund <transferId> --by <who> --reason <why>',
      'npm run ops -- fraud list [--limit <N>]',
      'npm run ops -- fraud release <transferId> --by <who> --reason <why>',
      'npm run ops -- fraud refuse <transferId> --by <who> --reason <why>',
      'npm run ops -- pii status',
      'npm run ops -- pii rotate [--batch <N>]',
      'npm run ops -- pii new-key <id>',
      'npm run ops -- operator create <name>',
      'npm run ops -- operator list',
    ])
      expect(text).toContain(line);
    expect(text).toContain('exit codes: 0 done, or found already done; 1 refused');
  });

  it('<group> --help prints that group only', async () => {
    const help = await ops('fraud', '--help');
    expect(help.code).toBe(0);
    expect(help.out.join('\n')).toContain('npm run ops -- fraud release');
    expect(help.out.join('\n')).not.toContain('npm run ops -- review');
  });

  it.each([
    [[], 'name a group and a command (groups: review, fraud, pii, operator)'],
    [['--by', 'ann'], 'name a group and a command'],
    [['payouts', 'list'], 'unknown group "payouts" (groups: review, fraud, pii, operator)'],
    [['review'], 'name a review command (review commands: list, settle, refund)'],
    [['review', 'approve', id], 'unknown command "review approve" (review commands: list, settle, refund)'],
    [['review', 'settle', ...who], 'review settle: takes <transferId>'],
    [['review', 'settle', 'not-a-uuid', ...who], '"not-a-uuid" is not a transfer id'],
    [['review', 'refund', id, '--reason', 'x'], '--by <who> is required'],
    [['review', 'refund', id, '--by', 'ann'], '--reason <why> is required'],
    [['review', 'refund', id, '--by', ' ', '--reason', 'x'], '--by <who> is required'],
    [['review', 'refund', id, '--by', 'a'.repeat(101), '--reason', 'x'], '--by <who> is required (1-100'],
    [
      ['review', 'refund', id, '--by', 'ann', '--reason', 'r'.repeat(501)],
      '--reason <why> is required (1-500',
    ],
    [['review', 'list', '--by', 'ann'], 'review list: records no decision: it takes no --by or --reason'],
    [['review', 'list', '--force'], "Unknown option '--force'"],
    [['review', 'list', '--limit', '0'], '--limit: expected an integer from 1 to 10000, not "0"'],
    [['fraud', 'flag', id], 'unknown command "fraud flag" (fraud commands: list, release, refuse)'],
    [['fraud', 'list', '--limit', 'ten'], '--limit: expected an integer from 1 to 10000, not "ten"'],
    [['fraud', 'release', id, '--by', 'ann'], 'fraud release: --reason <why> is required'],
    [['fraud', 'refuse', id, '--reason', 'stolen card'], 'fraud refuse: --by <who> is required'],
    [['fraud', 'release', id, '--by', 'ann', '--note', 'x'], "Unknown option '--note'"],
    [['fraud', 'refuse', 'h1', ...who], '"h1" is not a transfer id'],
    [['pii', 'status', 'k1'], 'pii status: takes no arguments'],
    [['pii', 'rotate', '--batch', '0'], '--batch: expected an integer from 1 to 10000'],
    [['pii', 'new-key'], 'pii new-key: takes <id>'],
    [['pii', 'new-key', 'k 2!'], 'a key id is 1-32 of [A-Za-z0-9_-], not "k 2!"'],
    [['pii', 'rotate', ...who], 'takes no --by or --reason'],
    [['operator', 'create'], 'operator create: takes <name>'],
    [['operator', 'create', 'x'.repeat(101)], 'name the operator (1-100 characters)'],
    [['operator', 'list', '--limit', '5'], "Unknown option '--limit'"],
  ])('refuses %j with exit 2 and the usage, opening nothing', async (argv, message) => {
    const result = await ops(...argv);
    expect(result).toMatchObject({ code: 2, opened: 0, out: [] });
    expect(result.errors).toContain(`ops: `);
    expect(result.errors).toContain(message);
    expect(result.errors).toContain('exit codes:');
  });

  it("shows a known group's usage after its mistake, every group's otherwise", async () => {
    const inGroup = await ops('pii', 'rotate', '--batch', 'x');
    expect(inGroup.errors).toContain('npm run ops -- pii rotate');
    expect(inGroup.errors).not.toContain('npm run ops -- review');
    const unknown = await ops('accounts', 'list');
    for (const g of groups) expect(unknown.errors).toContain(`npm run ops -- ${g.name} `);
  });

  it('hands a command its checked input: normalised arguments, defaults, who and why trimmed', async () => {
    const seen: OpsInput[] = [];
    const record = async (_ctx: OpsContext, input: OpsInput) => {
      seen.push(input);
      return 0 as const;
    };
    const demo: OpsGroup = {
      name: 'demo',
      summary: 'a stand-in group',
      commands: [
        {
          name: 'decide',
          args: [transferIdArg],
          options: { limit: { value: '<N>', default: '7', help: 'how many' } },
          decision: true,
          summary: 'a decision',
          run: record,
        },
        {
          name: 'name',
          args: [{ name: '<name>', rest: true }],
          decision: false,
          summary: 'words',
          run: record,
        },
      ],
    };
    const run = opsForTest(standIn, [demo]);
    expect(
      await run('demo', 'decide', id.toUpperCase(), '--by', ' ann ', '--reason', ' checked '),
    ).toMatchObject({
      code: 0,
      opened: 1,
    });
    expect(await run('demo', 'name', 'night', 'shift', 'desk')).toMatchObject({ code: 0 });
    expect(seen).toEqual([
      { args: [id], options: { limit: '7' }, by: 'ann', reason: 'checked' },
      { args: ['night shift desk'], options: {}, by: '', reason: '' },
    ]);
  });

  it('closes what it opened even when the command fails', async () => {
    let closed = 0;
    const failing: OpsGroup = {
      name: 'demo',
      summary: 'a stand-in group',
      commands: [
        {
          name: 'fail',
          args: [],
          decision: false,
          summary: 'throws',
          run: () => Promise.reject(new Error('database went away')),
        },
      ],
    };
    const run = runOps(['demo', 'fail'], [failing], {
      out: () => {},
      err: () => {},
      open: async () => ({
        ...standIn,
        bank: {} as OpsContext['bank'],
        out: () => {},
        note: () => {},
        close: async () => {
          closed++;
        },
      }),
    });
    await expect(run).rejects.toThrow('database went away');
    expect(closed).toBe(1);
  });

  it('renders options with their range and default in the usage', () => {
    expect(opsUsage(groups)).toContain('--batch <N>: profiles per transaction (1-10000, default 500)');
  });
});
