import type { ScenarioContext } from './scenario.ts';

export interface FundedAccount {
  userId: string;
  apiKey: string;
  accountId: string;
  currency: string;
}

/** A test user of the target's (its description's `users` command), in the run's scope. */
export async function testUser(
  ctx: ScenarioContext,
  name: string,
): Promise<{ userId: string; apiKey: string }> {
  const user = await ctx.target.createUser(name);
  ctx.scope.users.add(user.userId);
  return user;
}

/**
 * Users with one funded USD account each (set-up, not workload: nothing is recorded in the history):
 * each user from the target's description, the account opened through the API, the money put in the
 * way the description says (an operator's deposit, or its command). Deposits are operator-only, as
 * money always is.
 */
export async function fundedAccounts(
  ctx: ScenarioContext,
  n: number,
  balance: number,
): Promise<FundedAccount[]> {
  const out: FundedAccount[] = [];
  for (let i = 0; i < n; i++) {
    const user = await testUser(ctx, `scenario-${i}`);
    const opened = await ctx.api.openAccount(user.apiKey, 'USD');
    const answer = opened.value as { status?: number; body?: { id?: unknown } } | null;
    if (opened.type !== 'ok' || answer?.status !== 201 || typeof answer.body?.id !== 'string')
      throw new Error(`opening an account failed: ${opened.error ?? JSON.stringify(answer)}`);
    const accountId = answer.body.id;
    ctx.scope.accounts.add(accountId);
    await ctx.target.fund(accountId, balance, 'USD');
    out.push({ userId: user.userId, apiKey: user.apiKey, accountId, currency: 'USD' });
  }
  return out;
}

/** Runs `fn` over the items, `width` at a time. */
export async function inParallel<T>(
  items: T[],
  width: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}
