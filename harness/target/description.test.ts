import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DescriptionError, loadDescription } from './description.ts';

const dir = mkdtempSync(join(tmpdir(), 'faultline-target-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('loadDescription', () => {
  it('reads contract/target.example.json', () => {
    const d = loadDescription(join(import.meta.dirname, '../../contract/target.example.json'));
    expect(d.api.urls.length).toBeGreaterThan(0);
    expect(Object.keys(d.components).length).toBeGreaterThan(0);
  });

  it('names every wrong field, and the file', () => {
    const path = file(
      'bad.json',
      JSON.stringify({
        name: '',
        api: { urls: ['not a url'] },
        components: { w: { role: 'Worker!' } },
        extra: 1,
      }),
    );
    const err = (() => {
      try {
        loadDescription(path);
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(DescriptionError);
    expect(err?.message).toContain(path);
    for (const field of ['name', 'api.urls.0', 'components.w.role', '(the file)'])
      expect(err?.message).toContain(`  ${field}:`);
  });

  it('says plainly when the file is missing or not JSON', () => {
    expect(() => loadDescription(join(dir, 'none.json'))).toThrow(
      /cannot read the target description .*ENOENT/,
    );
    expect(() => loadDescription(file('text.json', 'name: shop'))).toThrow(/is not JSON/);
  });
});
