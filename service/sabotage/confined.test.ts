import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SABOTAGES } from './variables.ts';

/**
 * The broken variants live in this folder only: no production file elsewhere under service/ (tests and
 * `test/` folders aside) mentions a sabotage, by the word or by a name, except on the lines below, each
 * of which wires this folder in. Paths are from service/; lines are compared trimmed.
 */
const ALLOWED: Record<string, string[]> = {
  // The SABOTAGE variable, merged into the configuration's schema; the names, for the harness.
  'config.ts': [
    "import { sabotageVariables } from './sabotage/variables.ts';",
    "export { SABOTAGES, type Sabotage } from './sabotage/variables.ts';",
    '...sabotageVariables,',
  ],
  // The start-up warning of a process that runs broken.
  'main.ts': [
    'if (config.SABOTAGE.size > 0) {',
    "log.warn({ sabotage: [...config.SABOTAGE] }, 'SABOTAGE MODE: this process is deliberately broken');",
  ],
  // Each role's composition root takes its broken variants from one function of index.ts.
  'api/role.ts': ["import { apiVariants } from '../sabotage/index.ts';"],
  'relay/role.ts': ["import { relayVariants } from '../sabotage/index.ts';"],
  'worker/role.ts': ["import { workerVariants } from '../sabotage/index.ts';"],
  'recon/role.ts': ["import { reconVariants } from '../sabotage/index.ts';"],
  // An applied migration is never edited (db/migrate.ts refuses to start on a changed checksum).
  'db/migrations/0009_payout_batches.sql': [
    "-- without NOTIFY; kept for callers that debit one payout in SQL (the bench's backlogs, sabotages).",
  ],
};

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** The word in any form, or a name (a name is letters and dashes: nothing to escape). */
const MENTION = new RegExp(`sabotage|${SABOTAGES.map((n) => `\\b${n}\\b`).join('|')}`, 'i');

const isProduction = (path: string) =>
  !path.startsWith('sabotage/') && !path.endsWith('.test.ts') && !path.split('/').includes('test');

/** Every production file under service/ outside this folder, by path from service/. */
function productionFiles(): Map<string, string> {
  const paths = readdirSync(ROOT, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(ROOT, join(e.parentPath, e.name)))
    .filter(isProduction);
  return new Map(paths.map((p) => [p, readFileSync(join(ROOT, p), 'utf8')]));
}

/** `path:line: text` of each line that mentions a sabotage and is not allowed. */
function strayMentions(files: Map<string, string>, allowed = ALLOWED): string[] {
  return [...files].flatMap(([path, text]) =>
    text
      .split('\n')
      .map((line, i) => ({ line: line.trim(), n: i + 1 }))
      .filter(({ line }) => MENTION.test(line) && !allowed[path]?.includes(line))
      .map(({ line, n }) => `service/${path}:${n}: ${line}`),
  );
}

describe('the broken variants stay in service/sabotage/', () => {
  const files = productionFiles();

  it('no production file elsewhere mentions a sabotage, but for the lines that wire this folder in', () => {
    expect(strayMentions(files)).toEqual([]);
  });

  it('flags the word in any case, and a sabotage named without it', () => {
    const domain = new Map([
      ['money/operations.ts', "if (config.SABOTAGE.has('x')) {}\nconst ok = 1;\n// no-drain: stop at once"],
      ['cache/lua/x-1.lua', '-- Sabotaged: skips the lock'],
    ]);
    expect(strayMentions(domain)).toEqual([
      "service/money/operations.ts:1: if (config.SABOTAGE.has('x')) {}",
      'service/money/operations.ts:3: // no-drain: stop at once',
      'service/cache/lua/x-1.lua:1: -- Sabotaged: skips the lock',
    ]);
    // An allowed line is allowed in its own file only.
    expect(strayMentions(new Map([['money/money-deps.ts', ALLOWED['api/role.ts']?.[0] ?? '']]))).toHaveLength(
      1,
    );
  });

  it('allows only lines that are still there', () => {
    const stale = Object.entries(ALLOWED).flatMap(([path, lines]) =>
      lines
        .filter(
          (l) =>
            !files
              .get(path)
              ?.split('\n')
              .some((line) => line.trim() === l),
        )
        .map((l) => `${path}: ${l}`),
    );
    expect(stale).toEqual([]);
  });

  it('sees the tree (a rule over no files would hold for nothing)', () => {
    expect(files.size).toBeGreaterThan(100);
    for (const path of ['money/operations.ts', 'cache/read-through.ts', 'db/sql/payout-batch.sql'])
      expect(files.has(path), path).toBe(true);
    expect([...files.keys()].some((p) => p.startsWith('sabotage/') || p.includes('/test/'))).toBe(false);
  });
});
