import { fileURLToPath } from 'node:url';

/** The repository root (where package.json and node_modules/ are), wherever the process was started. */
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
