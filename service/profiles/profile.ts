import { z } from 'zod';
import type { PiiCipher, Sealed } from '../pii/pii-cipher.ts';

/** A user's profile as the API answers it to its owner. */
export interface Profile {
  userId: string;
  displayName: string;
  bio: string | null;
  locale: string;
  timezone: string;
  email: string | null;
  phone: string | null;
  dashboardLayout: string[];
  /** +1 on every update. */
  version: number;
  updatedAt: string;
}

/** A profile as Postgres and the cache hold it: email and phone sealed, never in plain text. */
export interface StoredProfile extends Omit<Profile, 'email' | 'phone'> {
  email: Sealed | null;
  phone: Sealed | null;
}

/** Opens the sealed fields of a stored profile (for its owner's eyes only). */
export function openProfile(p: StoredProfile, cipher: PiiCipher): Profile {
  const ctx = (field: 'email' | 'phone') => ({ userId: p.userId, field });
  return {
    ...p,
    email: p.email === null ? null : cipher.open(p.email, ctx('email')),
    phone: p.phone === null ? null : cipher.open(p.phone, ctx('phone')),
  };
}

/** What any authenticated user may see of someone else's profile (nothing sealed in it). */
export function publicProfile(p: Profile | StoredProfile) {
  return {
    userId: p.userId,
    displayName: p.displayName,
    bio: p.bio,
    locale: p.locale,
    version: p.version,
    updatedAt: p.updatedAt,
  };
}

/**
 * Sensitive metadata: an update of any of these purges every cache entry showing it (profile and
 * dashboard) rather than writing the new value through, so no cached copy outlives the change.
 */
export const SENSITIVE_FIELDS = ['email', 'phone'] as const;

/** Fields the dashboard entry shows (contact details masked): changing one purges it. */
export const DASHBOARD_FIELDS = ['displayName', 'dashboardLayout', ...SENSITIVE_FIELDS] as const;

export const WIDGETS = [
  'balances',
  'recent-payouts',
  'transfers',
  'statements',
  'limits',
  'support',
] as const;

const timezone = z
  .string()
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'an IANA time zone such as Europe/Berlin');

// Postgres text cannot hold NUL (SQLSTATE 22021): refused here as 400, not a 500 from the update.
const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !s.includes('\0'), 'no NUL character');

/** PATCH /v1/profile: at least one field; null clears an optional one. */
export const profilePatch = z
  .strictObject({
    displayName: text(100).pipe(z.string().trim().min(1)),
    bio: text(500).nullable(),
    locale: z.string().regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'a language tag such as en or de-CH'),
    timezone,
    email: z.email().max(254).nullable(),
    phone: z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, 'E.164, such as +4930123456')
      .nullable(),
    dashboardLayout: z
      .array(z.enum(WIDGETS))
      .max(WIDGETS.length)
      .refine((w) => new Set(w).size === w.length, 'each widget at most once'),
  })
  .partial()
  .refine((p) => Object.keys(p).length > 0, 'name at least one field to change');

export type ProfilePatch = z.infer<typeof profilePatch>;
