import type pg from 'pg';
import { type Account, getAccount } from '../accounts/accounts-repo.ts';
import { Coalescer } from '../coalescing/coalescer.ts';
import { sql } from '../db/sql.ts';
import { balanceQueries, balanceReadsCoalesced } from '../metrics.ts';

export interface Balance {
  id: string;
  currency: string;
  balance: number;
}

/**
 * Balance reads, always live from Postgres (never cached), with concurrent identical reads in this
 * process sharing one query (coalescing: each still sees a query that started after it arrived).
 */
export class BalanceReads {
  readonly #accounts = new Coalescer<string, Account | null>({ onShared: () => balanceReadsCoalesced.inc() });
  readonly #byUser = new Coalescer<string, Balance[]>({ onShared: () => balanceReadsCoalesced.inc() });

  constructor(private readonly pool: pg.Pool) {}

  /** One account with its live balance, or null. */
  account(id: string): Promise<Account | null> {
    return this.#accounts.run(id, () => {
      balanceQueries.inc();
      return getAccount(this.pool, id);
    });
  }

  /** Every account of a user with its live balance. */
  ofUser(userId: string): Promise<Balance[]> {
    return this.#byUser.run(userId, async () => {
      balanceQueries.inc();
      return (await this.pool.query<Balance>(sql('balances-by-user'), [userId])).rows;
    });
  }
}
