import type { MiddlewareHandler } from 'hono';
import type pg from 'pg';
import { type UserRole, userForApiKey } from '../accounts/accounts-repo.ts';
import { Unauthorized } from '../errors.ts';

export type AuthVariables = { userId: string; role: UserRole };

/**
 * `Authorization: Bearer <key>`, the scheme in any letter case (RFC 9110 §11.1); keys are looked up by
 * their sha256 in one query that also answers the role. Sets c.var.userId and c.var.role.
 */
export const auth = ({ pool }: { pool: pg.Pool }): MiddlewareHandler<{ Variables: AuthVariables }> =>
  async function auth(c, next) {
    const header = c.req.header('authorization') ?? '';
    const match = /^bearer +([A-Za-z0-9_-]{1,200}) *$/i.exec(header);
    if (!match?.[1]) throw new Unauthorized();
    const user = await userForApiKey(pool, match[1]);
    if (!user) throw new Unauthorized();
    c.set('userId', user.id);
    c.set('role', user.role);
    await next();
  };
