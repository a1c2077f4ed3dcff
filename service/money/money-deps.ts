import type pg from 'pg';
import type { Config } from '../config.ts';
import type { MoneyDeps } from './operations.ts';
import { sabotagedExecutors } from './sabotage.ts';

/**
 * The money operations' dependencies as the configuration asks: lock timeout, retries and sabotaged
 * stand-ins (selftest runs only).
 */
export function moneyDeps(
  config: Config,
  pool: pg.Pool,
  extra: Pick<MoneyDeps, 'wakeRelay' | 'enqueueDirect'> = {},
): MoneyDeps {
  return {
    pool,
    lockTimeoutMs: config.LOCK_TIMEOUT_MS,
    retries: config.TX_RETRIES,
    ...sabotagedExecutors(config.SABOTAGE, { retries: config.TX_RETRIES }),
    ...extra,
  };
}
