import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';

/**
 * A Redis Lua script kept in its own `<name>-<numberOfKeys>.lua` file. Runs by EVALSHA and falls back
 * to EVAL when the server does not know it yet (first call, or after a Redis restart).
 */
export class LuaScript {
  readonly name: string;
  readonly numberOfKeys: number;
  readonly #source: string;
  readonly #sha: string;

  constructor(file: URL) {
    const match = /^(.+)-(\d+)\.lua$/.exec(basename(fileURLToPath(file)));
    if (!match?.[1] || match[2] === undefined) throw new Error(`${file.href}: expected <name>-<keys>.lua`);
    this.name = match[1];
    this.numberOfKeys = Number(match[2]);
    this.#source = readFileSync(file, 'utf8');
    this.#sha = createHash('sha1').update(this.#source).digest('hex');
  }

  /** Runs the script with exactly `numberOfKeys` keys. */
  async run(redis: Redis, keys: string[], args: Array<string | number>): Promise<unknown> {
    if (keys.length !== this.numberOfKeys)
      throw new Error(`${this.name} takes ${this.numberOfKeys} keys, got ${keys.length}`);
    try {
      return await redis.evalsha(this.#sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
      return redis.eval(this.#source, keys.length, ...keys, ...args);
    }
  }
}
