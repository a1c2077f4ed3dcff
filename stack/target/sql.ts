import { readFileSync } from 'node:fs';

/**
 * One statement of stack/target/sql/, without its header comment: the reference schema's reads that
 * the stack's target description carries, and the writes only the native stack makes.
 */
export function targetSql(name: string): string {
  const text = readFileSync(new URL(`./sql/${name}.sql`, import.meta.url), 'utf8');
  return text
    .split('\n')
    .filter((line) => !line.startsWith('--'))
    .join('\n')
    .trim();
}
