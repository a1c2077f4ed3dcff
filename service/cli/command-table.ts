import { parseArgs } from 'node:util';
import type pg from 'pg';
import type { Config } from '../config.ts';

/**
 * A table of operator commands: each names its usage and runs against the service's configuration
 * and database. `npm run pii`, `npm run fraud` and `npm run operator` run one table each through
 * runCommandTable(); an ops CLI can merge the tables under one name.
 */
export interface OperatorCommand {
  /** Arguments after the command name, for the usage text (e.g. `<transferId> [--note TEXT]`). */
  usage: string;
  summary: string;
  /** Options it accepts (node:util parseArgs); positionals are passed through. */
  options?: Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>;
  run(ctx: CommandContext, args: { positionals: string[]; values: Record<string, unknown> }): Promise<number>;
}

export interface CommandContext {
  config: Config;
  pool: pg.Pool;
  /** One line to stdout (results). */
  out(line: string): void;
  /** One line to stderr (progress and diagnostics). */
  note(line: string): void;
}

export type CommandTable = Record<string, OperatorCommand>;

/** The usage text of a table run as `npm run <name> -- …`. */
export function usageOf(name: string, table: CommandTable): string {
  const lines = Object.entries(table).map(
    ([cmd, c]) => `  npm run ${name} -- ${cmd}${c.usage ? ` ${c.usage}` : ''}\n      ${c.summary}`,
  );
  return `usage:\n${lines.join('\n')}`;
}

/** Thrown by a command for a usage mistake: exit code 2 with the usage text. */
export class CommandUsageError extends Error {}

/**
 * Runs `argv` (command name first) against `table`. Exit codes: 0 done, 1 the command failed or found
 * a problem, 2 usage error. `open` builds the context lazily, so `--help` needs no database.
 */
export async function runCommandTable(
  name: string,
  table: CommandTable,
  argv: string[],
  open: () => Promise<CommandContext & { close(): Promise<void> }>,
  /** Where usage errors go (stderr unless told). */
  usageOut: (text: string) => void = (text) => process.stderr.write(text),
): Promise<number> {
  const [commandName, ...rest] = argv;
  const command = commandName ? table[commandName] : undefined;
  if (!command) {
    usageOut(
      `${commandName ? `${name}: unknown command "${commandName}"\n\n` : ''}${usageOf(name, table)}\n`,
    );
    return commandName === '--help' || commandName === '-h' ? 0 : 2;
  }
  let args: { positionals: string[]; values: Record<string, unknown> };
  try {
    args = parseArgs({ args: rest, options: command.options ?? {}, allowPositionals: true, strict: true });
  } catch (err) {
    usageOut(`${name} ${commandName}: ${(err as Error).message}\n\n${usageOf(name, table)}\n`);
    return 2;
  }
  const ctx = await open();
  try {
    return await command.run(ctx, args);
  } catch (err) {
    if (err instanceof CommandUsageError) {
      usageOut(`${name} ${commandName}: ${err.message}\n\n${usageOf(name, table)}\n`);
      return 2;
    }
    throw err;
  } finally {
    await ctx.close();
  }
}
