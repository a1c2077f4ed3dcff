import type pg from 'pg';
import type { CacheLink, CacheName } from '../cache/cache-link.ts';
import type { ReadThroughCache } from '../cache/read-through.ts';
import { NotFound } from '../errors.ts';
import { DASHBOARD_FIELDS, type Profile, type ProfilePatch, SENSITIVE_FIELDS } from './profile.ts';
import { updateProfile } from './profiles-repo.ts';

export interface ProfilesDeps {
  pool: pg.Pool;
  link: CacheLink;
  cache: ReadThroughCache<Profile>;
  /** Sabotage `no-purge-while-down`: a purge that cannot reach Redis is forgotten, not awaited. */
  forgetFailedPurges?: boolean;
}

/** Profiles: read through the cache (10 min), written through on update, purged when sensitive. */
export class Profiles {
  constructor(private readonly deps: ProfilesDeps) {}

  /** A user's profile; throws 404 `profile_not_found` for an unknown user. */
  async get(userId: string): Promise<Profile> {
    const profile = await this.deps.cache.get(userId);
    if (!profile) throw new NotFound('profile', 'profile_not_found');
    return profile;
  }

  /**
   * Commits the update with its invalidation row, then purges the affected entries in Redis. A
   * non-sensitive update then writes the new profile through; a sensitive one leaves the entries purged.
   * If the purge cannot reach Redis, it answers only once the purge has been applied by some process or
   * no process can still trust a cache without it (CacheLink.awaitInvalidation).
   */
  async update(userId: string, patch: ProfilePatch): Promise<Profile> {
    const { pool, link, cache } = this.deps;
    const sensitive = SENSITIVE_FIELDS.some((f) => f in patch);
    const invalidates: CacheName[] = DASHBOARD_FIELDS.some((f) => f in patch)
      ? ['profile', 'dashboard']
      : ['profile'];
    const updated = await updateProfile(pool, userId, patch, { invalidates });
    if (!updated) throw new NotFound('profile', 'profile_not_found');
    const { profile, invalidationId } = updated;
    if (await link.purge(userId, invalidates)) {
      await link.forget(invalidationId);
      if (!sensitive) await cache.refresh(userId);
    } else if (this.deps.forgetFailedPurges) {
      // Sabotage `no-purge-while-down`: drop the outbox row of a purge that could not reach Redis.
      await link.forget(invalidationId);
    } else {
      await link.awaitInvalidation(invalidationId);
    }
    return profile;
  }
}
