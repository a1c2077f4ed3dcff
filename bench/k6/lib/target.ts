// Where a load script aims: the API and the demo users' USD accounts, read from the stack file that
// `npm run up` writes (.faultline/stack.json) or the compose `seed` service writes (/seed/stack.json).
// Override with STACK_FILE, and the API with API_URL. With USERS_FILE (written by
// `npx tsx bench/seed-users.ts`), the accounts are those users instead: one per user, as the bench's.

interface StackFile {
  api?: { url: string };
  demoUsers: Array<{ name: string; apiKey: string; accounts: Array<{ id: string; currency: string }> }>;
}

export interface Account {
  id: string;
  apiKey: string;
}

export interface Target {
  api: string;
  /** Every demo USD account, each with its owner's API key. */
  accounts: Account[];
}

/**
 * The target described by a stack file's text. Each script reads the file itself, in k6's init context,
 * with `open(__ENV.STACK_FILE ?? '../../.faultline/stack.json')`: k6 resolves a relative path from the
 * script that calls open(), so the call must stay in the scripts directly under k6/.
 */
export function parseTarget(stackFileText: string): Target {
  const stack = JSON.parse(stackFileText) as StackFile;
  const accounts = stack.demoUsers.flatMap((u) =>
    u.accounts.filter((a) => a.currency === 'USD').map((a) => ({ id: a.id, apiKey: u.apiKey })),
  );
  if (accounts.length === 0) throw new Error('the stack file lists no USD demo account');
  return { api: __ENV.API_URL ?? stack.api?.url ?? 'http://127.0.0.1:3000', accounts };
}

/**
 * The target with the accounts of a users file (`[{ apiKey, accountId }]`) when one was given, else the
 * stack file's demo accounts.
 */
export function parseTargetWithUsers(stackFileText: string, usersFileText: string | null): Target {
  const target = parseTarget(stackFileText);
  if (usersFileText === null) return target;
  const users = JSON.parse(usersFileText) as Array<{ apiKey: string; accountId: string }>;
  if (users.length === 0) throw new Error('the users file lists no user');
  return { api: target.api, accounts: users.map((u) => ({ id: u.accountId, apiKey: u.apiKey })) };
}

/** Headers of an authenticated JSON request; payouts also need an Idempotency-Key. */
export function headers(account: Account, idempotencyKey?: string): Record<string, string> {
  return {
    Authorization: `Bearer ${account.apiKey}`,
    'Content-Type': 'application/json',
    ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}),
  };
}

/** A payout body of `amount` cents from `account`. */
export function payoutBody(account: Account, amount: number): string {
  return JSON.stringify({ accountId: account.id, amount, currency: 'USD', destination: 'IBAN-K6-LOAD' });
}
