import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { repoRoot } from '../lib/repo-root.ts';
import { CONTRACT_DOCUMENTS, documentText } from '../scripts/contract-documents.ts';
import { targetDescriptionSchema } from './target.ts';

describe('the contract documents', () => {
  it.each(Object.entries(CONTRACT_DOCUMENTS))(
    '%s is what `npm run docs` writes from its source',
    (path, build) => {
      // Compared as JSON: the formatter lays the file out its own way.
      expect(JSON.parse(readFileSync(join(repoRoot, path), 'utf8'))).toEqual(
        JSON.parse(documentText(build())),
      );
    },
  );

  it('the example description fits the JSON Schema as well as the zod schema', () => {
    const example = JSON.parse(readFileSync(join(repoRoot, 'contract/target.example.json'), 'utf8'));
    const schema = JSON.parse(readFileSync(join(repoRoot, 'contract/target.schema.json'), 'utf8'));
    expect(z.fromJSONSchema(schema).safeParse(example).success).toBe(true);
    expect(targetDescriptionSchema.safeParse(example).success).toBe(true);
    // And the JSON Schema can fail: an example without its API is refused by both.
    const { api: _, ...noApi } = example;
    expect(z.fromJSONSchema(schema).safeParse(noApi).success).toBe(false);
    expect(targetDescriptionSchema.safeParse(noApi).success).toBe(false);
  });
});
