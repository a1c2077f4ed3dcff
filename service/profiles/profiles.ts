import type pg from 'pg';
import type { CacheLink, CacheName } from '../cache/cache-link.ts';
import type { ReadThroughCache } from '../cache/read-through.ts';
import { NotFound } from '../errors.ts';
import type { PiiCipher } from '../pii/pii-cipher.ts';
import {
  DASHBOARD_FIELDS,
  openProfile,
  type Profile,
  type ProfilePatch,
  publicProfile,
  SENSITIVE_FIELDS,
  type StoredProfile,
} from './profile.ts';
import { type StoredPatch, updateProfile } from './profiles-repo.ts';

export interface ProfilesDeps {
  pool: pg.Pool;
  link: CacheLink;
  /** Holds profiles as stored: email and phone sealed, so Redis never sees them in plain text. */
  cache: ReadThroughCache<StoredProfile>;
  cipher: PiiCipher;
}

/**
 * Profiles: read through the cache (10 min), written through on update, purged when sensitive. Email
 * and phone are sealed before they reach Postgres and stay sealed in the cache; only the owner's own
 * answer opens them.
 */
export class Profiles {
  constructor(private readonly deps: ProfilesDeps) {}

  /** A user's whole profile (for its owner); throws 404 `profile_not_found` for an unknown user. */
  async get(userId: string): Promise<Profile> {
    return openProfile(await this.#stored(userId), this.deps.cipher);
  }

  /** What anyone may see of a user's profile: nothing sealed is opened. */
  async getPublic(userId: string): Promise<ReturnType<typeof publicProfile>> {
    return publicProfile(await this.#stored(userId));
  }

  async #stored(userId: string): Promise<StoredProfile> {
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
    const updated = await updateProfile(pool, userId, this.#seal(userId, patch), { invalidates });
    if (!updated) throw new NotFound('profile', 'profile_not_found');
    const { profile, invalidationId } = updated;
    if (await link.purge(userId, invalidates)) {
      await link.forget(invalidationId);
      if (!sensitive) await cache.refresh(userId);
    } else {
      await link.awaitInvalidation(invalidationId);
    }
    return openProfile(profile, this.deps.cipher);
  }

  #seal(userId: string, patch: ProfilePatch): StoredPatch {
    const { email, phone, ...rest } = patch;
    const { cipher } = this.deps;
    return {
      ...rest,
      ...(email === undefined
        ? {}
        : { email: email === null ? null : cipher.seal(email, { userId, field: 'email' }) }),
      ...(phone === undefined
        ? {}
        : { phone: phone === null ? null : cipher.seal(phone, { userId, field: 'phone' }) }),
    };
  }
}
