import { createAccount, createUser } from '../../service/accounts/accounts-repo.ts';
import { deposit } from '../../service/money/operations.ts';
import type { ScenarioContext } from './scenario.ts';

export interface FundedAccount {
  userId: string;
  apiKey: string;
  accountId: string;
  currency: string;
}

/**
 * Users with one funded USD account each, created directly in Postgres (set-up, not workload). The
 * money comes from an operator of the scenario's own, as money always does (deposits are operator-only).
 */
export async function fundedAccounts(
  ctx: ScenarioContext,
  n: number,
  balance: number,
): Promise<FundedAccount[]> {
  const money = { pool: ctx.db, lockTimeoutMs: 5_000, retries: 3, sabotage: new Set<never>() };
  const operator = await createUser(ctx.db, 'scenario-operator', { role: 'operator' });
  const out: FundedAccount[] = [];
  for (let i = 0; i < n; i++) {
    const user = await createUser(ctx.db, `scenario-${i}`);
    const account = await createAccount(ctx.db, user.id, 'USD');
    const funded = await deposit(money, {
      operatorId: operator.id,
      idempotencyKey: null,
      accountId: account.id,
      amount: balance,
      currency: 'USD',
    });
    if (funded.status !== 201)
      throw new Error(`funding ${account.id} failed: ${JSON.stringify(funded.body)}`);
    out.push({ userId: user.id, apiKey: user.apiKey, accountId: account.id, currency: 'USD' });
  }
  return out;
}
