import { Hono } from 'hono';
import { z } from 'zod';
import { transfer } from '../../money/operations.ts';
import type { ApiDeps, ApiEnv } from '../deps.ts';
import { amount, body, currency, idempotencyKeyHeader, uuid } from '../validate.ts';

/** /v1/transfers: move money between two accounts (the debited one must be the caller's). */
export function transferRoutes(deps: ApiDeps) {
  const createSchema = z
    .strictObject({ fromAccountId: uuid, toAccountId: uuid, amount: amount(deps.maxAmount), currency })
    .refine((t) => t.fromAccountId !== t.toAccountId, {
      message: 'must differ from fromAccountId',
      path: ['toAccountId'],
    });

  return new Hono<ApiEnv>().post('/', async (c) => {
    const idempotencyKey = idempotencyKeyHeader(c, { required: false });
    const input = await body(c, createSchema);
    const result = await transfer(deps.money, { userId: c.var.userId, idempotencyKey, ...input });
    if (result.replayed) c.header('Idempotent-Replayed', 'true');
    return c.json(result.body, result.status as 201 | 422);
  });
}
