import { bankClientFor } from '../bank/client.ts';
import { loadConfig } from '../config.ts';
import { createPool } from '../db/pool.ts';
import { createLogger } from '../log.ts';
import { groups } from './commands.ts';
import { runOps } from './run-ops.ts';

/**
 * Operator commands from the shell, with the service's environment (DATABASE_URL, BANK_URL, PII_KEYS, …):
 *   npm run ops -- <group> <command> [arguments] [options]     (npm run ops -- --help lists them)
 */
async function main(): Promise<number> {
  const print = (stream: NodeJS.WriteStream) => (text: string) => stream.write(`${text}\n`);
  return runOps(process.argv.slice(2), groups, {
    out: print(process.stdout),
    err: print(process.stderr),
    open: async () => {
      const config = loadConfig();
      const log = createLogger({ role: 'ops', level: 'warn' });
      const pool = createPool({ url: config.DATABASE_URL, max: 2, log, name: 'ops' });
      return {
        config,
        pool,
        bank: bankClientFor(config),
        out: print(process.stdout),
        note: print(process.stderr),
        close: () => pool.end(),
      };
    },
  });
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`ops: ${err.message}\n`);
    process.exit(1);
  },
);
