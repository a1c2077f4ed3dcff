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
  // What the harness and a target agree on: both import it, it imports neither (lib/ is below all).
  'contract/': ['harness/', 'service/', 'stack/', 'bench/', 'observability/', 'scripts/', 'fakes/'],
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
  // The boundary between harness and target (below): the harness reaches a service through contract/
  // (its API, the bank's protocol, a target description), the fake bank it owns (fakes/), and, only in
  // native mode, the one module that starts the native stack.
  'harness/': ['service/'],
  // The bench's client side: the load it offers goes through the API alone, as harness/load's does.
  'bench/workloads.ts': ['service/', 'stack/'],
  'service/': ['harness/', 'stack/', 'bench/', 'observability/', 'scripts/', 'fakes/'],
  'stack/': ['harness/', 'bench/'],
};

const isTest = (f: string) => f.endsWith('.test.ts') || f.includes('/test/');
const sources = execFileSync('git', ['ls-files', '*.ts'], { encoding: 'utf8' })
  .trim()
  .split('\n')
  .filter((f) => !isTest(f));

/** Every relative import of `file` (static or dynamic), as a path from the repository's root. */
function importsOf(file: string, { dynamic = true } = {}): string[] {
  const text = readFileSync(file, 'utf8');
  const pattern = dynamic
    ? /(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g
    : /(?:from|import)\s+'(\.{1,2}\/[^']+)'/g;
  return [...text.matchAll(pattern)].map((m) =>
    posix.normalize(posix.join(posix.dirname(file), m[1] as string)),
  );
}

/** Every file `entry` loads when it starts, following static imports only (dynamic ones load on demand). */
function staticClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const next = [entry];
  while (next.length > 0) {
    const file = next.pop() as string;
    if (seen.has(file) || !file.endsWith('.ts')) continue;
    seen.add(file);
    next.push(...importsOf(file, { dynamic: false }));
  }
  return seen;
}

/** The one way from the harness to the native stack: a dynamic import, made in native mode only. */
const NATIVE_ENTRY = 'harness/runner/runner.ts -> stack/target/native.ts';

describe('layers', () => {
  it.each(Object.entries(FORBIDDEN))('%s imports nothing from the layers above it', (layer, above) => {
    const crossings = sources
      .filter((f) => f.startsWith(layer))
      .flatMap((f) => importsOf(f).map((target) => `${f} -> ${target}`))
      .filter((edge) => above.some((a) => (edge.split(' -> ')[1] as string).startsWith(a)));
    expect(crossings).toEqual([]);
  });

  it('the harness reaches the native stack only through the runner, in native mode', () => {
    const crossings = sources
      .filter((f) => f.startsWith('harness/'))
      .flatMap((f) => importsOf(f).map((target) => `${f} -> ${target}`))
      .filter((edge) => (edge.split(' -> ')[1] as string).startsWith('stack/'));
    expect(crossings).toEqual([NATIVE_ENTRY]);
    expect(importsOf('harness/runner/runner.ts', { dynamic: false })).not.toContain('stack/target/native.ts');
  });

  it('a black-box run loads nothing of the service or the stack (a clone without service/ runs it)', () => {
    const loaded = [...staticClosure('harness/cli.ts')];
    expect(loaded.length).toBeGreaterThan(50);
    expect(loaded.filter((f) => f.startsWith('service/') || f.startsWith('stack/'))).toEqual([]);
  });

  it('sees the tree (a rule over no files would hold for nothing)', () => {
    for (const layer of Object.keys(FORBIDDEN))
      expect(
        sources.some((f) => f.startsWith(layer)),
        layer,
      ).toBe(true);
  });
});
