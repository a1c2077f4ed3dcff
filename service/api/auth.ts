import type { MiddlewareHandler } from 'hono';
import type pg from 'pg';
import { type ApiKeyHash, apiKeyHash, type UserRole, userForApiKey } from '../accounts/accounts-repo.ts';
import { Unauthorized } from '../errors.ts';

export type AuthVariables = { userId: string; role: UserRole };

type User = { id: string; role: UserRole };

/** How long and how many looked-up keys an API process trusts without asking the database. */
export interface AuthCacheOptions {
  /** AUTH_CACHE_TTL_MS: a revoked key keeps working this long at most; 0 caches nothing. */
  ttlMs: number;
  /** AUTH_CACHE_MAX: the least recently used keys go first. */
  max: number;
}

/**
 * A bounded in-process cache of API key → user, for `ttlMs` after the lookup, keyed by the key's sha256
 * as the database stores it: a process's memory holds no bearer key past the request that carried it.
 * Only users are cached, never operators (their acts check the database each time), never a miss (an
 * unknown key stays unknown until it is looked up again, and a flood of wrong keys cannot push the good
 * ones out).
 */
export class AuthCache {
  readonly #entries = new Map<string, { user: User; until: number }>();

  constructor(private readonly opts: AuthCacheOptions) {}

  get(hash: ApiKeyHash, now = Date.now()): User | null {
    const id = hash.toString('base64');
    const entry = this.#entries.get(id);
    if (!entry) return null;
    this.#entries.delete(id);
    if (entry.until <= now) return null;
    this.#entries.set(id, entry); // most recently used last
    return entry.user;
  }

  set(hash: ApiKeyHash, user: User, now = Date.now()): void {
    if (this.opts.ttlMs === 0 || user.role === 'operator') return;
    const id = hash.toString('base64');
    this.#entries.delete(id);
    this.#entries.set(id, { user, until: now + this.opts.ttlMs });
    while (this.#entries.size > this.opts.max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}

/**
 * `Authorization: Bearer <key>`, the scheme in any letter case (RFC 9110 §11.1); keys are looked up by
 * their sha256 in one query that also answers the role, or found in `cache` when one is given. Sets
 * c.var.userId and c.var.role.
 */
export const auth = ({
  pool,
  cache,
}: {
  pool: pg.Pool;
  cache?: AuthCache;
}): MiddlewareHandler<{ Variables: AuthVariables }> =>
  async function auth(c, next) {
    const header = c.req.header('authorization') ?? '';
    const match = /^bearer +([A-Za-z0-9_-]{1,200}) *$/i.exec(header);
    const key = match?.[1];
    if (!key) throw new Unauthorized();
    const hash = apiKeyHash(key);
    let user = cache?.get(hash) ?? null;
    if (!user) {
      user = await userForApiKey(pool, hash);
      if (!user) throw new Unauthorized();
      cache?.set(hash, user);
    }
    c.set('userId', user.id);
    c.set('role', user.role);
    await next();
  };
