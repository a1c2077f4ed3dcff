import { readdirSync, readFileSync } from 'node:fs';
import './pg-types.ts';

const dir = new URL('./sql/', import.meta.url);

/** The statements in db/sql/*.sql, read once at start-up, by file name without extension. */
const statements = new Map(
  readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .map((f) => [f.slice(0, -4), readFileSync(new URL(f, dir), 'utf8')]),
);

/** The text of one statement file; throws at once for an unknown name. */
export function sql(name: string): string {
  const text = statements.get(name);
  if (text === undefined) throw new Error(`no SQL file service/db/sql/${name}.sql`);
  return text;
}
