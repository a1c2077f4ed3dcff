import pg from 'pg';
import { createAccount, createUser } from './accounts/accounts-repo.ts';
import { loadConfig } from './config.ts';
import { migrate } from './db/migrate.ts';
import { connectionBounds, databaseBounds } from './db/pool.ts';
import { deposit } from './money/operations.ts';

export interface DemoUser {
  name: string;
  userId: string;
  apiKey: string;
  accounts: Array<{ id: string; currency: string; balance: number }>;
}

const DEMO = [
  {
    name: 'alice',
    accounts: [
      { currency: 'USD', balance: 100_000 },
      { currency: 'EUR', balance: 50_000 },
    ],
  },
  { name: 'bob', accounts: [{ currency: 'USD', balance: 25_000 }] },
];

/** The demo's operator: the only key that may deposit (create money). */
export interface DemoOperator {
  name: string;
  userId: string;
  apiKey: string;
}

export interface Demo {
  users: DemoUser[];
  operator: DemoOperator;
}

/**
 * Creates the demo operator, and the demo users with fresh API keys and accounts the operator funds
 * (each `npm run up` gets new ones).
 */
export async function seedDemo(databaseUrl: string): Promise<Demo> {
  // The default bounds (DATABASE_*_MS), as every role's pool has them.
  const bounds = databaseBounds(loadConfig({ DATABASE_URL: databaseUrl }));
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2, ...connectionBounds(bounds) });
  try {
    await migrate(pool);
    const money = { pool, lockTimeoutMs: 2_000, retries: 3 };
    const op = await createUser(pool, 'operator', { role: 'operator' });
    const operator = { name: 'operator', userId: op.id, apiKey: op.apiKey };
    const users: DemoUser[] = [];
    for (const spec of DEMO) {
      const user = await createUser(pool, spec.name);
      const accounts = [];
      for (const a of spec.accounts) {
        const account = await createAccount(pool, user.id, a.currency);
        const funded = await deposit(money, {
          operatorId: operator.userId,
          idempotencyKey: null,
          accountId: account.id,
          amount: a.balance,
          currency: a.currency,
        });
        if (funded.status !== 201) throw new Error(`funding the demo failed: ${JSON.stringify(funded.body)}`);
        accounts.push({ id: account.id, currency: a.currency, balance: a.balance });
      }
      users.push({ name: spec.name, userId: user.id, apiKey: user.apiKey, accounts });
    }
    return { users, operator };
  } finally {
    await pool.end();
  }
}
