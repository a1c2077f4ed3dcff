import type pg from 'pg';
import type { CacheName } from '../cache/cache-link.ts';
import { sql } from '../db/sql.ts';
import type { Sealed } from '../pii/pii-cipher.ts';
import type { ProfilePatch, StoredProfile } from './profile.ts';

interface ProfileRow {
  user_id: string;
  display_name: string;
  bio: string | null;
  locale: string;
  timezone: string;
  email: Sealed | null;
  phone: Sealed | null;
  dashboard_layout: string[];
  version: number;
  updated_at: Date;
}

/** A patch as it goes to Postgres: email and phone already sealed. */
export type StoredPatch = Omit<ProfilePatch, 'email' | 'phone'> & {
  email?: Sealed | null;
  phone?: Sealed | null;
};

const toProfile = (r: ProfileRow): StoredProfile => ({
  userId: r.user_id,
  displayName: r.display_name,
  bio: r.bio,
  locale: r.locale,
  timezone: r.timezone,
  email: r.email,
  phone: r.phone,
  dashboardLayout: r.dashboard_layout,
  version: Number(r.version),
  updatedAt: r.updated_at.toISOString(),
});

/** A user's profile (email and phone sealed), or null when there is no such user. */
export async function getProfile(pool: pg.Pool, userId: string): Promise<StoredProfile | null> {
  const { rows } = await pool.query<ProfileRow>(sql('profile-get'), [userId]);
  return rows[0] ? toProfile(rows[0]) : null;
}

/**
 * Applies a patch and records the cache entries to purge in the invalidation outbox, in one
 * transaction. Returns the new profile and the outbox row's id, or null when there is no such user.
 */
export async function updateProfile(
  pool: pg.Pool,
  userId: string,
  patch: StoredPatch,
  opts: { invalidates: readonly CacheName[] },
): Promise<{ profile: StoredProfile; invalidationId: string } | null> {
  const { rows } = await pool.query<ProfileRow & { invalidation_id: string }>(sql('profile-update'), [
    userId,
    JSON.stringify(patch),
    opts.invalidates,
  ]);
  const row = rows[0];
  return row ? { profile: toProfile(row), invalidationId: row.invalidation_id } : null;
}

/** The cacheable part of a dashboard (see dashboard-metadata.sql); contact details sealed. */
export interface DashboardMetadataRow {
  user_id: string;
  version: number;
  display_name: string;
  email: Sealed | null;
  phone: Sealed | null;
  layout: string[];
  accounts: Array<{
    accountId: string;
    currency: string;
    openedAt: string;
    payouts: number;
    lastPayoutAt: string | null;
  }>;
}

export async function getDashboardMetadata(
  pool: pg.Pool,
  userId: string,
): Promise<DashboardMetadataRow | null> {
  const { rows } = await pool.query<DashboardMetadataRow>(sql('dashboard-metadata'), [userId]);
  return rows[0] ?? null;
}
