import type { BalanceReads } from '../balances/balance-reads.ts';
import type { ReadThroughCache } from '../cache/read-through.ts';
import { NotFound } from '../errors.ts';
import type { PiiCipher, Sealed } from '../pii/pii-cipher.ts';
import type { DashboardMetadataRow } from './profiles-repo.ts';

/** The cached part of a dashboard: layout and history metadata, contact details sealed. */
export interface DashboardMetadata {
  /** From the row: the cache key is the user id Postgres answered, never the one asked for. */
  userId: string;
  version: number;
  displayName: string;
  layout: string[];
  contact: { email: Sealed | null; phone: Sealed | null };
  accounts: DashboardMetadataRow['accounts'];
  cachedAt: string;
}

/** j•••@example.com: enough to recognise an address, too little to use it. */
export function maskEmail(email: string | null): string | null {
  if (!email) return null;
  const at = email.lastIndexOf('@');
  return `${email.slice(0, 1)}•••${email.slice(at)}`;
}

/** •••• 3456 */
export function maskPhone(phone: string | null): string | null {
  return phone ? `•••• ${phone.slice(-4)}` : null;
}

/** Builds the cacheable part from its Postgres row (the loader of the dashboard cache). */
export function dashboardMetadata(row: DashboardMetadataRow): DashboardMetadata {
  return {
    userId: row.user_id,
    version: Number(row.version),
    displayName: row.display_name,
    layout: row.layout,
    contact: { email: row.email, phone: row.phone },
    accounts: row.accounts,
    cachedAt: new Date().toISOString(),
  };
}

/**
 * The dashboard: layout and history metadata from the cache (5 min), balances always live. Accounts
 * opened after the metadata was cached still appear (from the live read), without history yet. Contact
 * details are opened and masked for the answer only.
 */
export class Dashboards {
  constructor(
    private readonly deps: {
      cache: ReadThroughCache<DashboardMetadata>;
      balances: BalanceReads;
      cipher: PiiCipher;
    },
  ) {}

  async get(userId: string) {
    const [meta, balances] = await Promise.all([
      this.deps.cache.get(userId),
      this.deps.balances.ofUser(userId),
    ]);
    if (!meta) throw new NotFound('profile', 'profile_not_found');
    const history = new Map(meta.accounts.map((a) => [a.accountId, a]));
    return {
      userId,
      version: meta.version,
      displayName: meta.displayName,
      layout: meta.layout,
      contact: this.#contact(meta),
      accounts: balances.map((b) => ({
        id: b.id,
        currency: b.currency,
        balance: b.balance,
        openedAt: history.get(b.id)?.openedAt ?? null,
        payouts: history.get(b.id)?.payouts ?? null,
        lastPayoutAt: history.get(b.id)?.lastPayoutAt ?? null,
      })),
      metadataCachedAt: meta.cachedAt,
      balancesAt: new Date().toISOString(),
    };
  }

  #contact({ userId, contact }: DashboardMetadata) {
    const { cipher } = this.deps;
    return {
      email: maskEmail(
        contact.email === null ? null : cipher.open(contact.email, { userId, field: 'email' }),
      ),
      phone: maskPhone(
        contact.phone === null ? null : cipher.open(contact.phone, { userId, field: 'phone' }),
      ),
    };
  }
}
