import type { MiddlewareHandler } from 'hono';
import type pg from 'pg';
import { userIdForApiKey } from '../accounts/accounts-repo.ts';
import { Unauthorized } from '../errors.ts';

export type AuthVariables = { userId: string };

/** Bearer API keys, looked up by their sha256; sets c.var.userId. */
export const auth = ({ pool }: { pool: pg.Pool }): MiddlewareHandler<{ Variables: AuthVariables }> =>
  async function auth(c, next) {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer ([A-Za-z0-9_-]{1,200})$/.exec(header);
    if (!match?.[1]) throw new Unauthorized();
    const userId = await userIdForApiKey(pool, match[1]);
    if (!userId) throw new Unauthorized();
    c.set('userId', userId);
    await next();
  };
