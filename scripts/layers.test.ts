import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The tree's layers: a module imports only from its own layer and the ones below it. Tests (`*.test.ts`
 * and `test/` folders) may reach further, for fixtures.
 */
const UPPER_HARNESS = [
  'harness/runner/',
  'harness/scenarios/',
  'harness/report/',
  'harness/explain/',
  'harness/demo/',
  'harness/cli.ts',
];
const FORBIDDEN: Record<string, string[]> = {
  'lib/': ['harness/', 'service/', 'stack/', 'bench/', 'observability/', 'scripts/', 'contract/', 'fakes/'],
  // What the harness and a target agree on: both import it, it imports neither.
  'contract/': ['harness/', 'service/', 'stack/', 'bench/', 'observability/', 'scripts/', 'fakes/', 'lib/'],
  // Fakes of the outside world: the harness owns them, the service never sees their code.
  'fakes/': ['harness/', 'service/', 'stack/', 'bench/', 'observability/', 'scripts/'],
  'harness/core/': [
    ...UPPER_HARNESS,
    'harness/client/',
    'harness/checkers/',
    'harness/chaos/',
    'harness/load/',
    'service/',
    'stack/',
    'bench/',
  ],
  'harness/load/': [
    ...UPPER_HARNESS,
    'harness/client/',
    'harness/checkers/',
    'harness/chaos/',
    'service/',
    'stack/',
    'bench/',
  ],
  'harness/chaos/': [...UPPER_HARNESS, 'harness/client/', 'harness/checkers/', 'harness/load/', 'bench/'],
  'harness/checkers/': [
    ...UPPER_HARNESS,
    'harness/client/',
    'harness/chaos/',
    'harness/load/',
    'stack/',
    'bench/',
  ],
  'harness/client/': [...UPPER_HARNESS, 'bench/'],
  'service/': ['harness/', 'stack/', 'bench/', 'observability/', 'scripts/', 'fakes/'],
  'stack/': ['harness/', 'bench/'],
};

const isTest = (f: string) => f.endsWith('.test.ts') || f.includes('/test/');
const sources = execFileSync('git', ['ls-files', '*.ts'], { encoding: 'utf8' })
  .trim()
  .split('\n')
  .filter((f) => !isTest(f));

/** Every relative import of `file`, as a path from the repository's root. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) =>
    posix.normalize(posix.join(posix.dirname(file), m[1] as string)),
  );
}

describe('layers', () => {
  it.each(Object.entries(FORBIDDEN))('%s imports nothing from the layers above it', (layer, above) => {
    const crossings = sources
      .filter((f) => f.startsWith(layer))
      .flatMap((f) => importsOf(f).map((target) => `${f} -> ${target}`))
      .filter((edge) => above.some((a) => (edge.split(' -> ')[1] as string).startsWith(a)));
    expect(crossings).toEqual([]);
  });

  it('sees the tree (a rule over no files would hold for nothing)', () => {
    for (const layer of Object.keys(FORBIDDEN))
      expect(
        sources.some((f) => f.startsWith(layer)),
        layer,
      ).toBe(true);
  });
});
