import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../stack/service.ts';
import { runTool } from './tools.ts';

/** The k6 load scripts: type-checked against @types/k6 (bench/k6/tsconfig.json), and free of Node modules. */

const k6Dir = join(repoRoot, 'bench', 'k6');
const scripts = readdirSync(k6Dir).filter((f) => f.endsWith('.ts'));

describe('k6 scripts', () => {
  it('type-check against @types/k6', () => {
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = runTool(process.execPath, [tsc, '--noEmit', '-p', 'bench/k6']);
    expect(r.status, r.output).toBe(0);
  });

  it.each(scripts)('%s opens with what it shows, sets thresholds, imports only k6 modules', (name) => {
    const text = readFileSync(join(k6Dir, name), 'utf8');
    expect(text.startsWith('// '), 'opening comment').toBe(true);
    expect(text).toMatch(/thresholds:/);
    for (const [, from] of text.matchAll(/from '([^']+)'/g)) {
      expect(from, `import from ${from}`).toMatch(/^(k6(\/.*)?|\.\/.*|https:\/\/jslib\.k6\.io\/.*)$/);
    }
  });
});
