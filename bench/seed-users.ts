import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { repoRoot } from '../stack/service.ts';
import { seedUsers } from './fixtures.ts';

/**
 * Seeds users into the stack `npm run up` is running (its .faultline/stack.json) the way the bench does
 * (batched SQL through the service's deposit()), and writes their keys and accounts for the k6 scripts'
 * USERS_FILE: `npx tsx bench/seed-users.ts [--count 10000] [--out .faultline/users.json]`.
 */
const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '10000' },
    out: { type: 'string', default: resolve(repoRoot, '.faultline', 'users.json') },
    stack: { type: 'string', default: resolve(repoRoot, '.faultline', 'stack.json') },
  },
});
const count = Number(values.count);
if (!Number.isInteger(count) || count < 1 || count > 1_000_000) {
  process.stderr.write(
    `seed-users: --count must be a whole number from 1 to 1,000,000, not "${values.count}"\n`,
  );
  process.exit(2);
}
let url: string;
try {
  url = (JSON.parse(readFileSync(values.stack, 'utf8')) as { postgres: { url: string } }).postgres.url;
} catch (err) {
  process.stderr.write(
    `seed-users: cannot read ${values.stack} (is \`npm run up\` running?): ${(err as Error).message}\n`,
  );
  process.exit(2);
}
const db = new pg.Pool({ connectionString: url, max: 2 });
try {
  const users = await seedUsers(db, { prefix: `k6-user-${Date.now()}`, count });
  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(
    values.out,
    `${JSON.stringify(users.map((u) => ({ apiKey: u.apiKey, accountId: u.accounts[0] })))}\n`,
    {
      mode: 0o600,
    },
  );
  process.stdout.write(`${count} users seeded; their keys and accounts are in ${values.out}\n`);
} finally {
  await db.end();
}
