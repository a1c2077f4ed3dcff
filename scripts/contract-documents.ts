/**
 * Writes the contract's machine-readable documents from their zod sources (contract/api.ts,
 * contract/target.ts): the OpenAPI documents of the payment API and of the bank's payer API, and the
 * JSON Schema of a target description. `npm run docs` runs it; contract/documents.test.ts fails when
 * a file on disk is stale.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { apiDocument, bankDocument } from '../contract/api.ts';
import { targetJsonSchema } from '../contract/target.ts';
import { repoRoot } from '../lib/repo-root.ts';

/** Each document, by its path from the repository root. */
export const CONTRACT_DOCUMENTS: Record<string, () => Record<string, unknown>> = {
  'contract/api.openapi.json': apiDocument,
  'contract/bank.openapi.json': bankDocument,
  'contract/target.schema.json': targetJsonSchema,
};

/** A document as written: two-space JSON and a final newline. */
export const documentText = (doc: Record<string, unknown>) => `${JSON.stringify(doc, null, 2)}\n`;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const [path, build] of Object.entries(CONTRACT_DOCUMENTS)) {
    writeFileSync(join(repoRoot, path), documentText(build()));
    process.stdout.write(`written: ${path}\n`);
  }
}
