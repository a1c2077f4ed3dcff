import type { BalanceReads } from '../balances/balance-reads.ts';
import type { ReadThroughCache } from '../cache/read-through.ts';
import { NotFound } from '../errors.ts';
import type { DashboardMetadataRow } from './profiles-repo.ts';

/** The cached part of a dashboard: layout and history metadata, contact details already masked. */
export interface DashboardMetadata {
  version: number;
  displayName: string;
  layout: string[];
  contact: { email: string | null; phone: string | null };
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
    version: Number(row.version),
    displayName: row.display_name,
    layout: row.layout,
    contact: { email: maskEmail(row.email), phone: maskPhone(row.phone) },
    accounts: row.accounts,
    cachedAt: new Date().toISOString(),
  };
}

/**
 * The dashboard: layout and history metadata from the cache (5 min), balances always live. Accounts
 * opened after the metadata was cached still appear (from the live read), without history yet.
 */
export class Dashboards {
  constructor(
    private readonly deps: { cache: ReadThroughCache<DashboardMetadata>; balances: BalanceReads },
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
      contact: meta.contact,
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
}
