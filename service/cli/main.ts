import pg from 'pg';
import { loadConfig } from '../config.ts';
import '../db/pg-types.ts';
import { type CommandTable, runCommandTable } from './command-table.ts';

/**
 * Runs one operator command table from the shell with the service's own environment (DATABASE_URL,
 * PII_KEYS, …): `npm run pii|fraud|operator -- <command> …`. Exit code from the command.
 */
export function runCli(name: string, table: CommandTable): void {
  runCommandTable(name, table, process.argv.slice(2), async () => {
    const config = loadConfig();
    const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 2 });
    pool.on('error', () => {});
    return {
      config,
      pool,
      out: (line) => process.stdout.write(`${line}\n`),
      note: (line) => process.stderr.write(`${line}\n`),
      close: () => pool.end(),
    };
  }).then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`${name}: ${err.message}\n`);
      process.exit(1);
    },
  );
}
