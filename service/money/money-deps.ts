import type pg from 'pg';
import type { Config } from '../config.ts';
import { type MoneyDeps, payoutBatch } from './operations.ts';
import { PayoutCoalescer } from './payout-coalescer.ts';
import { sabotagedExecutors } from './sabotage.ts';

/**
 * The money operations' dependencies as the configuration asks: lock timeout, retries and sabotaged
 * stand-ins (selftest runs only) and, with PAYOUT_COALESCE=on, the hot-account coalescer.
 */
export function moneyDeps(
  config: Config,
  pool: pg.Pool,
  extra: Pick<MoneyDeps, 'wakeRelay' | 'enqueueDirect'> = {},
): MoneyDeps {
  const deps: MoneyDeps = {
    pool,
    lockTimeoutMs: config.LOCK_TIMEOUT_MS,
    retries: config.TX_RETRIES,
    ...sabotagedExecutors(config.SABOTAGE, { retries: config.TX_RETRIES }),
    ...extra,
  };
  if (config.PAYOUT_COALESCE) {
    const maxBatch = config.PAYOUT_COALESCE_MAX;
    deps.coalescer = new PayoutCoalescer((u, a, items) => payoutBatch(deps, u, a, items), { maxBatch });
  }
  return deps;
}
