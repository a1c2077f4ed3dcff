import { Hono } from 'hono';
import { z } from 'zod';
import { transfer } from '../../money/operations.ts';
import type { ApiDeps, ApiEnv } from '../deps.ts';
import { amount, body, currency, idempotencyKeyHeader, uuid, withinLimit } from '../validate.ts';

/** /v1/transfers: move money between two accounts (the debited one must be the caller's). */
export function transferRoutes(deps: ApiDeps) {
  // Ids arrive normalised (validate.ts uuid), so the same account in another letter case is the same.
  const createSchema = z
    .strictObject({ fromAccountId: uuid, toAccountId: uuid, amount, currency })
    .refine((t) => t.fromAccountId !== t.toAccountId, {
      message: 'must differ from fromAccountId',
      path: ['toAccountId'],
    })
    .superRefine(withinLimit(deps.maxAmount));

  return new Hono<ApiEnv>().post('/', async (c) => {
    const idempotencyKey = idempotencyKeyHeader(c);
    const input = await body(c, createSchema);
    const result = await transfer(deps.money, { userId: c.var.userId, idempotencyKey, ...input });
    if (result.replayed) c.header('Idempotent-Replayed', 'true');
    return c.json(result.body, result.status as 201 | 422);
  });
}
