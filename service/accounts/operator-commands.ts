import { type CommandTable, CommandUsageError } from '../cli/command-table.ts';
import { sql } from '../db/sql.ts';
import { createUser } from './accounts-repo.ts';

/** Operator keys: the only keys that may deposit, i.e. create money (`npm run operator -- …`). */
export const operatorCommands: CommandTable = {
  create: {
    usage: '<name>',
    summary: 'create an operator and print its API key (shown once; only its sha256 is stored)',
    async run({ pool, out, note }, { positionals }) {
      const name = positionals.join(' ').trim();
      if (name.length < 1 || name.length > 100)
        throw new CommandUsageError('name the operator (1-100 characters)');
      const operator = await createUser(pool, name, { role: 'operator' });
      note(`operator "${name}" created (${operator.id}); its key follows, shown this once`);
      out(operator.apiKey);
      return 0;
    },
  },
  list: {
    usage: '',
    summary: 'every operator, with the deposits (money created) recorded against each',
    async run({ pool, out }) {
      const { rows } = await pool.query(sql('operators-list'));
      for (const r of rows)
        out(
          `${r.id}  ${String(r.name).padEnd(24)} since ${r.created_at.toISOString()}  ${r.deposits} deposits, ${r.deposited} minor units`,
        );
      if (rows.length === 0) out('no operator yet: npm run operator -- create <name>');
      return 0;
    },
  },
};
