import type pg from 'pg';
import type { BankClient } from '../bank/client.ts';
import type { Config } from '../config.ts';

/** What an operator command works with: the service's configuration, database and bank, and where to print. */
export interface OpsContext {
  config: Config;
  pool: pg.Pool;
  bank: Pick<BankClient, 'lookup' | 'void'>;
  /** One line to stdout: the command's result (JSON lines, a key, a verdict). */
  out(line: string): void;
  /** One line to stderr: progress and counts, kept out of what a pipe reads. */
  note(line: string): void;
}

/** A command's checked input: positional arguments and option values (parsed), and for a decision who and why. */
export interface OpsInput {
  args: string[];
  options: Record<string, string>;
  by: string;
  reason: string;
}

/**
 * 0: done, or found already done (commands are idempotent); 1: refused (the state does not allow it) or
 * not finished (the message says what is left). A usage error (2) never reaches a command.
 */
export type OpsExit = 0 | 1;

/** A bad command line: exit 2 with the usage, before anything is opened. */
export class OpsUsageError extends Error {}

/** A positional argument as the usage shows it (`<transferId>`), and how a value is checked. */
export interface OpsArg {
  name: string;
  /** Returns the value the command gets (e.g. a uuid lowercased); throws OpsUsageError when it is bad. */
  parse?: (value: string) => string;
  /** The last argument may take every word left, joined by spaces (`operator create night shift`). */
  rest?: boolean;
}

/** An option with a value (`--limit <N>`): its default and how a value is checked. */
export interface OpsOption {
  value: string;
  default: string;
  /** One line for the usage text. */
  help: string;
  parse?: (value: string) => string;
}

/** One operator command: `npm run ops -- <group> <name> [args…] [options] [--by <who> --reason <why>]`. */
export interface OpsCommand {
  name: string;
  args: OpsArg[];
  options?: Record<string, OpsOption>;
  /** A decision must say who made it (--by) and why (--reason): the runner requires both; the command records them. */
  decision: boolean;
  /** One line for the usage text. */
  summary: string;
  run(ctx: OpsContext, input: OpsInput): Promise<OpsExit>;
}

/** An area's commands (`review`, `fraud`, …): the table in commands.ts lists the groups. */
export interface OpsGroup {
  name: string;
  /** What the group works on, one line for the usage text. */
  summary: string;
  commands: OpsCommand[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `<transferId>`: a uuid, lowercased (as Postgres prints it and as the bank knows it, by key). */
export const transferIdArg: OpsArg = {
  name: '<transferId>',
  parse(value) {
    if (!UUID.test(value)) throw new OpsUsageError(`"${value}" is not a transfer id (a uuid)`);
    return value.toLowerCase();
  },
};

/** A decision on one payout: `<group> <name> <transferId> --by <who> --reason <why>`. */
export function payoutDecision(name: string, summary: string, run: OpsCommand['run']): OpsCommand {
  return { name, args: [transferIdArg], decision: true, summary, run };
}

/** `--limit <N>` of a list: the oldest N at most. */
export const limitOption = (defaultN: number) =>
  countOption({ default: defaultN, max: 10_000, help: 'at most this many, the oldest' });

/** `--<name> <N>`: an integer from 1 to `max`. */
export function countOption(opts: { default: number; max: number; help: string }): OpsOption {
  return {
    value: '<N>',
    default: String(opts.default),
    help: `${opts.help} (1-${opts.max}, default ${opts.default})`,
    parse(value) {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < 1 || n > opts.max)
        throw new OpsUsageError(`expected an integer from 1 to ${opts.max}, not "${value}"`);
      return value;
    },
  };
}
