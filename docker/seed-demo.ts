import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { seedDemo } from '../service/demo.ts';

/**
 * The compose stack's one-shot `seed` service: creates the demo users (as `npm run up` does) and
 * writes them where the k6 scripts read them, in the shape of .faultline/stack.json.
 * Reads DATABASE_URL, API_URL and STACK_FILE; this script is its own configuration.
 */
const databaseUrl = process.env.DATABASE_URL;
const apiUrl = process.env.API_URL ?? 'http://api:3000';
const stackFile = process.env.STACK_FILE ?? '/seed/stack.json';
if (!databaseUrl) {
  process.stderr.write('seed-demo: DATABASE_URL is required\n');
  process.exit(2);
}
const { users, operator } = await seedDemo(databaseUrl);
mkdirSync(dirname(stackFile), { recursive: true });
writeFileSync(
  stackFile,
  `${JSON.stringify({ api: { url: apiUrl }, demoUsers: users, operator }, null, 2)}\n`,
);
process.stdout.write(`seed-demo: ${users.length} demo users and the operator written to ${stackFile}\n`);
