import { parseArgs } from 'node:util';
import type { OpsCommand, OpsContext, OpsGroup, OpsInput } from './command.ts';
import { OpsUsageError } from './command.ts';

/** The limits of transfer_reviews.actor/reason and payout_holds.decided_by/note (migrations 0007, 0008). */
const MAX_BY = 100;
const MAX_REASON = 500;

const EXIT_CODES =
  'exit codes: 0 done, or found already done; 1 refused, or not finished (the message says why); 2 usage error';

/** The usage text: every group's commands, or one group's. */
export function opsUsage(groups: readonly OpsGroup[], only?: OpsGroup): string {
  const sections = (only ? [only] : groups).map((g) => {
    const lines = g.commands.map((c) => {
      const options = Object.entries(c.options ?? {});
      const call = [
        g.name,
        c.name,
        ...c.args.map((a) => a.name),
        ...options.map(([name, o]) => `[--${name} ${o.value}]`),
        ...(c.decision ? ['--by <who>', '--reason <why>'] : []),
      ];
      const help = options.map(([name, o]) => `\n      --${name} ${o.value}: ${o.help}`).join('');
      return `  npm run ops -- ${call.join(' ')}\n      ${c.summary}${help}`;
    });
    return `${g.name}: ${g.summary}\n${lines.join('\n')}`;
  });
  return [
    'usage: npm run ops -- <group> <command> [arguments] [options]   (--help: this text)',
    ...sections,
    'A decision (--by <who> --reason <why>, both required) is recorded with who made it, why and when.',
    EXIT_CODES,
  ].join('\n\n');
}

interface Io {
  /** Builds the context; called only once the command line is valid (so `--help` and mistakes open nothing). */
  open: () => Promise<OpsContext & { close(): Promise<void> }>;
  /** Where `--help` goes (stdout). */
  out: (text: string) => void;
  /** Where usage errors go (stderr). */
  err: (text: string) => void;
}

/**
 * Runs one operator command from its argv (after `npm run ops --`): 0 done, 1 refused or not finished,
 * 2 usage error. `close` always runs after the command.
 */
export async function runOps(argv: string[], groups: readonly OpsGroup[], io: Io): Promise<0 | 1 | 2> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(
      opsUsage(
        groups,
        groups.find((g) => g.name === argv[0]),
      ),
    );
    return 0;
  }
  let parsed: { command: OpsCommand; input: OpsInput };
  try {
    parsed = parse(argv, groups);
  } catch (err) {
    if (!(err instanceof CommandLineError)) throw err;
    io.err(`ops: ${err.message}\n\n${opsUsage(groups, err.group)}`);
    return 2;
  }
  const ctx = await io.open();
  try {
    return await parsed.command.run(ctx, parsed.input);
  } finally {
    await ctx.close();
  }
}

/** A usage error, with the group it happened in (its usage is shown, not every group's). */
class CommandLineError extends Error {
  constructor(
    message: string,
    readonly group?: OpsGroup,
  ) {
    super(message);
  }
}

function parse(argv: string[], groups: readonly OpsGroup[]): { command: OpsCommand; input: OpsInput } {
  const [groupName, commandName, ...rest] = argv;
  const names = (list: readonly { name: string }[]) => list.map((x) => x.name).join(', ');
  if (!groupName || groupName.startsWith('-'))
    throw new CommandLineError(`name a group and a command (groups: ${names(groups)})`);
  const group = groups.find((g) => g.name === groupName);
  if (!group) throw new CommandLineError(`unknown group "${groupName}" (groups: ${names(groups)})`);
  const command = group.commands.find((c) => c.name === commandName);
  if (!command) {
    const what = commandName
      ? `unknown command "${groupName} ${commandName}"`
      : `name a ${groupName} command`;
    throw new CommandLineError(`${what} (${groupName} commands: ${names(group.commands)})`, group);
  }
  try {
    return { command, input: parseInput(command, rest) };
  } catch (err) {
    if (err instanceof OpsUsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))
      throw new CommandLineError(`${groupName} ${commandName}: ${(err as Error).message}`, group);
    throw err;
  }
}

function parseInput(command: OpsCommand, argv: string[]): OpsInput {
  const declared = Object.entries(command.options ?? {});
  // Every option takes a value: --by, --reason and the command's own.
  const names = ['by', 'reason', ...declared.map(([name]) => name)];
  const parsed = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: Object.fromEntries(names.map((name) => [name, { type: 'string' as const }])),
  });
  const values = parsed.values as Record<string, string | undefined>;
  const positionals = parsed.positionals;
  const wanted = command.args.length;
  const words =
    command.args.at(-1)?.rest && positionals.length > wanted
      ? [...positionals.slice(0, wanted - 1), positionals.slice(wanted - 1).join(' ')]
      : positionals;
  if (words.length !== wanted)
    throw new OpsUsageError(`takes ${command.args.map((a) => a.name).join(' ') || 'no arguments'}`);
  const args = words.map((w, i) => command.args[i]?.parse?.(w) ?? w);

  const options: Record<string, string> = {};
  for (const [name, o] of declared) {
    const value = values[name] ?? o.default;
    try {
      options[name] = o.parse?.(value) ?? value;
    } catch (err) {
      throw new OpsUsageError(`--${name}: ${(err as Error).message}`);
    }
  }

  const by = values.by?.trim() ?? '';
  const reason = values.reason?.trim() ?? '';
  if (command.decision) {
    if (!by || by.length > MAX_BY) throw new OpsUsageError(`--by <who> is required (1-${MAX_BY} characters)`);
    if (!reason || reason.length > MAX_REASON)
      throw new OpsUsageError(`--reason <why> is required (1-${MAX_REASON} characters)`);
  } else if (values.by !== undefined || values.reason !== undefined) {
    throw new OpsUsageError('records no decision: it takes no --by or --reason');
  }
  return { args, options, by, reason };
}
