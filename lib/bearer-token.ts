import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

/**
 * Refuses (401 `unauthorized`, with `message`) any request without `Authorization: Bearer <token>`,
 * compared in constant time; the scheme in any letter case.
 */
export const bearerToken = (token: string, message: string): MiddlewareHandler =>
  async function bearerToken(c, next) {
    const given = Buffer.from(/^bearer +(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1] ?? '');
    const wanted = Buffer.from(token);
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted))
      return c.json({ code: 'unauthorized', message }, 401);
    await next();
  };
