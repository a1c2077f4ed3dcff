import { Hono } from 'hono';
import { profilePatch } from '../../profiles/profile.ts';
import { rateLimit } from '../../ratelimit/rate-limit.ts';
import type { ApiDeps, ApiEnv } from '../deps.ts';
import { body, param, uuid } from '../validate.ts';

/** /v1/profile: the caller's own profile (cached 10 min, written through on update). */
export function ownProfileRoutes(deps: ApiDeps) {
  const { limiter, profiles } = deps.reads;
  return new Hono<ApiEnv>()
    .get('/', rateLimit({ limiter, routeClass: 'profile-read' }), async (c) =>
      c.json(await profiles.get(c.var.userId)),
    )
    .patch('/', rateLimit({ limiter, routeClass: 'profile-write' }), async (c) => {
      const patch = await body(c, profilePatch);
      return c.json(await profiles.update(c.var.userId, patch));
    });
}

/** /v1/profiles/:userId: anyone's public profile (the same cache entry, fewer fields). */
export function publicProfileRoutes(deps: ApiDeps) {
  const { limiter, profiles } = deps.reads;
  return new Hono<ApiEnv>().get('/:userId', rateLimit({ limiter, routeClass: 'profile-read' }), async (c) => {
    const userId = param(c, 'userId', uuid);
    return c.json(userId === c.var.userId ? await profiles.get(userId) : await profiles.getPublic(userId));
  });
}
