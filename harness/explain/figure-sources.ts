/**
 * Where the figures `explain` points at are written, read from the source: a scenario's figures and its
 * checks' figures are object keys somewhere in the modules the scenario's file imports inside
 * harness/; sampled figures are keys of the samples summary. items.test.ts uses this so that a
 * renamed figure breaks a test instead of leaving an answer pointing at nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { repoRoot } from '../../lib/repo-root.ts';

/** The non-test file under harness/scenarios/ that defines the scenario named `name`. */
export function scenarioFile(name: string): string | undefined {
  const dir = join(repoRoot, 'harness', 'scenarios');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => join(dir, f))
    .find((f) => new RegExp(`name: '${name}'`).test(readFileSync(f, 'utf8')));
}

/** `file` and every module it imports, transitively, inside harness/. */
export function moduleGraph(file: string): string[] {
  const seen = new Set<string>();
  const visit = (f: string) => {
    if (seen.has(f)) return;
    seen.add(f);
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/from '(\.{1,2}\/[^']+\.ts)'/g)) {
      const target = resolve(dirname(f), m[1] as string);
      const top = relative(repoRoot, target).split('/')[0] ?? '';
      if (top === 'harness') visit(target);
    }
  };
  visit(file);
  return [...seen];
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whether `source` writes `key`: as an object key (`key:`, `'key':`, shorthand `{ key }`), by assignment
 * (`figures.key =`), or through a template such as `${label}_ms_p50` whose every placeholder fills in
 * with a string literal of the same file ('lock_wait').
 */
export function writesKey(source: string, key: string): boolean {
  const k = escapeRegExp(key);
  const literal = new RegExp(
    `(^|[\\s{,(])(${k}|'${k}'|"${k}")\\s*:|[{,]\\s*${k}\\s*[,}]|\\.${k}\\s*=[^=]`,
    'm',
  );
  if (literal.test(source)) return true;
  for (const m of source.matchAll(/`([^`]*\$\{[^`]*)`/g)) {
    const parts = (m[1] as string).split(/\$\{[^}]*\}/);
    const filled = new RegExp(`^${parts.map(escapeRegExp).join('([a-z0-9_]+)')}$`).exec(key);
    if (filled?.slice(1).every((v) => source.includes(`'${v}'`))) return true;
  }
  return false;
}

/** Whether the scenario's modules write `key` as a figure (run figure or check figure). */
export function scenarioWrites(scenario: string, key: string): boolean {
  const file = scenarioFile(scenario);
  if (!file) return false;
  return moduleGraph(file).some((f) => writesKey(readFileSync(f, 'utf8'), key));
}

/** Whether the samples summary (harness/report/sample-summary.ts) writes `key`. */
export function sampledWrites(key: string): boolean {
  return writesKey(readFileSync(join(repoRoot, 'harness', 'report', 'sample-summary.ts'), 'utf8'), key);
}
