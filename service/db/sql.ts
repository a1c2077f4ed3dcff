import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import './pg-types.ts';

/**
 * The statements in a folder of `.sql` files, read once at start-up, by file name without extension:
 * the text of one, or a throw at once for an unknown name.
 */
export function statementsIn(dir: URL): (name: string) => string {
  const statements = new Map(
    readdirSync(dir)
      .filter((f) => f.endsWith('.sql'))
      .map((f) => [f.slice(0, -4), readFileSync(new URL(f, dir), 'utf8')]),
  );
  return (name) => {
    const text = statements.get(name);
    if (text === undefined) throw new Error(`no SQL file ${fileURLToPath(new URL(`${name}.sql`, dir))}`);
    return text;
  };
}

/** The text of one statement file of db/sql/. */
export const sql = statementsIn(new URL('./sql/', import.meta.url));
