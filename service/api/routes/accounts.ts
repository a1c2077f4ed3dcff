import { Hono } from 'hono';
import { z } from 'zod';
import { createAccount } from '../../accounts/accounts-repo.ts';
import { Forbidden, NotFound, OperatorOnly } from '../../errors.ts';
import { deposit } from '../../money/operations.ts';
import { rateLimit } from '../../ratelimit/rate-limit.ts';
import type { ApiDeps, ApiEnv } from '../deps.ts';
import { amount, body, currency, idempotencyKeyHeader, param, uuid, withinLimit } from '../validate.ts';

const accountJson = (a: { id: string; currency: string; balance: number; created_at: Date }) => ({
  id: a.id,
  currency: a.currency,
  balance: a.balance,
  createdAt: a.created_at,
});

/**
 * /v1/accounts: open, read and fund accounts (funding creates money: operator keys only). A read is a live balance, never cached: limited per user
 * (route class `balance`) and coalesced with concurrent reads of the same account in this process.
 */
export function accountRoutes(deps: ApiDeps) {
  const createSchema = z.strictObject({ currency });
  const depositSchema = z.strictObject({ amount, currency }).superRefine(withinLimit(deps.maxAmount));

  return new Hono<ApiEnv>()
    .post('/', async (c) => {
      const input = await body(c, createSchema);
      const account = await createAccount(deps.pool, c.var.userId, input.currency);
      return c.json(accountJson(account), 201);
    })
    .get('/:id', rateLimit({ limiter: deps.reads.limiter, routeClass: 'balance' }), async (c) => {
      const id = param(c, 'id', uuid);
      const account = await deps.reads.balances.account(id);
      if (!account) throw new NotFound('account', 'account_not_found');
      if (account.user_id !== c.var.userId) throw new Forbidden();
      return c.json(accountJson(account));
    })
    .post('/:id/deposits', async (c) => {
      if (c.var.role !== 'operator') throw new OperatorOnly();
      const accountId = param(c, 'id', uuid);
      const idempotencyKey = idempotencyKeyHeader(c);
      const input = await body(c, depositSchema);
      const result = await deposit(deps.money, {
        operatorId: c.var.userId,
        idempotencyKey,
        accountId,
        ...input,
      });
      if (result.replayed) c.header('Idempotent-Replayed', 'true');
      return c.json(result.body, result.status as 201 | 422);
    });
}
