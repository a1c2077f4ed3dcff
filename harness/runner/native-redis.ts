import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import type { NativeRedis } from '../../contract/native.ts';

/** A client of the harness's own to one of the native stack's Redis servers (`native:redis`). */
export function nativeRedis(server: NativeRedis): Redis {
  const redis = new Redis(server.url, server.caFile ? { tls: { ca: readFileSync(server.caFile) } } : {});
  redis.on('error', () => {});
  return redis;
}
