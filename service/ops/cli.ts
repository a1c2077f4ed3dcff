import { BankClient } from '../bank/client.ts';
import { loadConfig } from '../config.ts';
import { createPool } from '../db/pool.ts';
import { createLogger } from '../log.ts';
import { commands } from './commands.ts';
import { runOps } from './run-ops.ts';

/**
 * Operator commands from the shell, with the service's environment (DATABASE_URL, BANK_URL, …):
 *   npm run ops -- review list
 *   npm run ops -- review settle|refund <transferId> --by <who> --reason <why>
 */
async function main(): Promise<number> {
  return runOps(process.argv.slice(2), commands, {
    err: (line) => process.stderr.write(`${line}\n`),
    open: async () => {
      const config = loadConfig();
      const log = createLogger({ role: 'ops', level: 'warn' });
      const pool = createPool({ url: config.DATABASE_URL, max: 2, log, name: 'ops' });
      return {
        pool,
        bank: new BankClient({ baseUrl: config.BANK_URL, timeoutMs: config.BANK_TIMEOUT_MS }),
        out: (line) => process.stdout.write(`${line}\n`),
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
