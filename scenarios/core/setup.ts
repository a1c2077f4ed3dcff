import { createAccount, createUser } from '../../service/accounts/accounts-repo.ts';
import { deposit } from '../../service/money/operations.ts';
import type { ScenarioContext } from './scenario.ts';

export interface FundedAccount {
  userId: string;
  apiKey: string;
  accountId: string;
  currency: string;
}

/** Users with one funded USD account each, created directly in Postgres (set-up, not workload). */
export async function fundedAccounts(
  ctx: ScenarioContext,
  n: number,
  balance: number,
): Promise<FundedAccount[]> {
  const money = { pool: ctx.db, lockTimeoutMs: 5_000, retries: 3 };
  const out: FundedAccount[] = [];
  for (let i = 0; i < n; i++) {
    const user = await createUser(ctx.db, `scenario-${i}`);
    const account = await createAccount(ctx.db, user.id, 'USD');
    await deposit(money, {
      userId: user.id,
      idempotencyKey: null,
      accountId: account.id,
      amount: balance,
      currency: 'USD',
    });
    out.push({ userId: user.id, apiKey: user.apiKey, accountId: account.id, currency: 'USD' });
  }
  return out;
}
