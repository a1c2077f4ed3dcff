import { parseArgs } from 'node:util';
import type { OpsCommand, OpsContext } from './command.ts';

const MAX_BY = 100;
const MAX_REASON = 500;

/** The usage text, from the command table. */
export function opsUsage(commands: readonly OpsCommand[]): string {
  const lines = commands.map((c) => {
    const call = [c.group, c.name, ...c.args, ...(c.decision ? ['--by <who>', '--reason <why>'] : [])];
    return `  npm run ops -- ${call.join(' ')}\n      ${c.summary}`;
  });
  return `usage:\n${lines.join('\n')}\n\nexit codes: 0 done (or already done), 1 refused (the payout's state does not allow it), 2 usage error`;
}

class UsageError extends Error {}

/**
 * Runs one operator command from its argv (after `npm run ops --`): 0 done, 1 refused, 2 usage error.
 * `open` is called only once the command line is valid; `close` always runs after.
 */
export async function runOps(
  argv: string[],
  commands: readonly OpsCommand[],
  io: { open: () => Promise<OpsContext & { close(): Promise<void> }>; err: (line: string) => void },
): Promise<0 | 1 | 2> {
  let command: OpsCommand;
  let input: { args: string[]; by: string; reason: string };
  try {
    ({ command, input } = parse(argv, commands));
  } catch (err) {
    if (!(err instanceof UsageError) && !(err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))
      throw err;
    io.err(`ops: ${(err as Error).message}\n\n${opsUsage(commands)}`);
    return 2;
  }
  const ctx = await io.open();
  try {
    return await command.run(ctx, input);
  } finally {
    await ctx.close();
  }
}

function parse(argv: string[], commands: readonly OpsCommand[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { by: { type: 'string' }, reason: { type: 'string' } },
  });
  const [group, name, ...args] = positionals;
  if (!group) throw new UsageError('name a command');
  const command = commands.find((c) => c.group === group && c.name === name);
  if (!command) {
    const known = commands.map((c) => `${c.group} ${c.name}`).join(', ');
    throw new UsageError(`unknown command "${[group, name].filter(Boolean).join(' ')}"; known: ${known}`);
  }
  if (args.length !== command.args.length)
    throw new UsageError(`${group} ${name} takes ${command.args.join(' ') || 'no arguments'}`);
  for (const [i, value] of args.entries()) {
    const problem = command.checkArg?.(value, i);
    if (problem) throw new UsageError(problem);
  }
  const by = values.by?.trim() ?? '';
  const reason = values.reason?.trim() ?? '';
  if (command.decision) {
    if (!by || by.length > MAX_BY) throw new UsageError(`--by <who> is required (1–${MAX_BY} characters)`);
    if (!reason || reason.length > MAX_REASON)
      throw new UsageError(`--reason <why> is required (1–${MAX_REASON} characters)`);
  } else if (by || reason) {
    throw new UsageError(`${group} ${name} records no decision: it takes no --by or --reason`);
  }
  return { command, input: { args, by, reason } };
}
