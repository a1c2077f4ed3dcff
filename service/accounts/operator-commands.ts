import { sql } from '../db/sql.ts';
import { type OpsGroup, OpsUsageError } from '../ops/command.ts';
import { createUser } from './accounts-repo.ts';

/** `operator create|list`: operator keys, the only keys that may deposit, i.e. create money. */
export const operatorGroup: OpsGroup = {
  name: 'operator',
  summary: 'the only API keys that may deposit, i.e. create money',
  commands: [
    {
      name: 'create',
      args: [{ name: '<name>', rest: true, parse: operatorName }],
      decision: false,
      summary: 'create an operator and print its API key (shown once; only its sha256 is stored)',
      async run({ pool, out, note }, { args }) {
        const name = args[0] as string;
        const operator = await createUser(pool, name, { role: 'operator' });
        note(`operator "${name}" created (${operator.id}); its key follows, shown this once`);
        out(operator.apiKey);
        return 0;
      },
    },
    {
      name: 'list',
      args: [],
      decision: false,
      summary: 'every operator, with the deposits (money created) recorded against each',
      async run({ pool, out }) {
        const { rows } = await pool.query(sql('operators-list'));
        for (const r of rows)
          out(
            `${r.id}  ${String(r.name).padEnd(24)} since ${r.created_at.toISOString()}  ${r.deposits} deposits, ${r.deposited} minor units`,
          );
        if (rows.length === 0) out('no operator yet: npm run ops -- operator create <name>');
        return 0;
      },
    },
  ],
};

function operatorName(words: string): string {
  const name = words.trim();
  if (name.length < 1 || name.length > 100) throw new OpsUsageError('name the operator (1-100 characters)');
  return name;
}
