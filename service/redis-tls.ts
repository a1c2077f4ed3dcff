import { readFileSync } from 'node:fs';

const cas = new Map<string, Buffer>();

/**
 * ioredis options for a `rediss://` URL: TLS verified against TLS_CA_FILE (ioredis alone would trust
 * only the system's CAs). Nothing for a plain `redis://` URL. The user and password come in the URL.
 */
export function redisTlsOptions(url: string, caFile: string | undefined): { tls?: { ca: Buffer } } {
  if (!url.startsWith('rediss://') || !caFile) return {};
  let ca = cas.get(caFile);
  if (!ca) {
    ca = readFileSync(caFile);
    cas.set(caFile, ca);
  }
  return { tls: { ca } };
}
