import type pg from 'pg';
import type { Config } from '../config.ts';
import { type MoneyDeps, payoutBatch } from './operations.ts';
import { PayoutCoalescer } from './payout-coalescer.ts';

/**
 * The money operations' dependencies as the configuration asks: lock timeout, retries and, with
 * PAYOUT_COALESCE=on, the hot-account coalescer; the role adds where they run and whom a new payout wakes.
 */
export function moneyDeps(
  config: Config,
  pool: pg.Pool,
  extra: Pick<MoneyDeps, 'store' | 'onCreated'> = {},
): MoneyDeps {
  const deps: MoneyDeps = {
    pool,
    lockTimeoutMs: config.LOCK_TIMEOUT_MS,
    retries: config.TX_RETRIES,
    ...extra,
  };
  if (config.PAYOUT_COALESCE) {
    const maxBatch = config.PAYOUT_COALESCE_MAX;
    deps.coalescer = new PayoutCoalescer((u, a, items) => payoutBatch(deps, u, a, items), { maxBatch });
  }
  return deps;
}
