import type pg from 'pg';
import type { BankClient } from '../bank/client.ts';

/** What an operator command works with: the service's database, the bank, and where to print. */
export interface OpsContext {
  pool: pg.Pool;
  bank: Pick<BankClient, 'lookup' | 'void'>;
  out: (line: string) => void;
}

/** A command's positional arguments, and for a decision who made it and why. */
export interface OpsInput {
  args: string[];
  by: string;
  reason: string;
}

/** 0: done, or found already done (commands are idempotent); 1: refused, the state does not allow it. */
export type OpsExit = 0 | 1;

/**
 * One operator command, run as `npm run ops -- <group> <name> [args…] [--by <who> --reason <why>]`.
 * The table in commands.ts lists them; a new area adds its own group there (say, `fraud release`).
 */
export interface OpsCommand {
  group: string;
  name: string;
  /** Positional arguments as the usage shows them, e.g. `<transferId>`; each must be given. */
  args: string[];
  /** A decision must say who made it (--by) and why (--reason): both are recorded with it. */
  decision: boolean;
  /** One line for the usage text. */
  summary: string;
  /** Checks one positional argument; returns what is wrong with it, or null. */
  checkArg?: (value: string, index: number) => string | null;
  run(ctx: OpsContext, input: OpsInput): Promise<OpsExit>;
}
