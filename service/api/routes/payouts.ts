import { Hono } from 'hono';
import { z } from 'zod';
import { Forbidden, NotFound } from '../../errors.ts';
import { screenedPayout } from '../../fraud/screened-payout.ts';
import { getTransfer } from '../../payouts/transfers-repo.ts';
import type { ApiDeps, ApiEnv } from '../deps.ts';
import { amount, body, currency, idempotencyKeyHeader, param, uuid, withinLimit } from '../validate.ts';

/**
 * /v1/payouts: debit an account and send the money to a bank destination, exactly once per key; a
 * payout the fraud rules hold answers 201 in MANUAL_REVIEW and waits for an operator.
 */
export function payoutRoutes(deps: ApiDeps) {
  const createSchema = z
    .strictObject({
      accountId: uuid,
      amount,
      currency,
      // Postgres text cannot hold NUL (SQLSTATE 22021): refused here as 400, not a 500 from the insert.
      destination: z
        .string()
        .min(1)
        .max(100)
        .refine((d) => !d.includes('\0'), 'no NUL character'),
    })
    .superRefine(withinLimit(deps.maxAmount));

  return new Hono<ApiEnv>()
    .post('/', async (c) => {
      const idempotencyKey = idempotencyKeyHeader(c);
      const input = await body(c, createSchema);
      const result = await screenedPayout(deps, { userId: c.var.userId, idempotencyKey, ...input });
      if (result.replayed) c.header('Idempotent-Replayed', 'true');
      return c.json(result.body, result.status as 201 | 422);
    })
    .get('/:id', async (c) => {
      const id = param(c, 'id', uuid);
      const t = await getTransfer(deps.pool, id);
      if (!t) throw new NotFound('payout', 'payout_not_found');
      if (t.user_id !== c.var.userId) throw new Forbidden('this payout');
      return c.json({
        id: t.id,
        accountId: t.account_id,
        amount: t.amount,
        currency: t.currency,
        destination: t.destination,
        status: t.status,
        attempts: t.attempts,
        lastError: t.last_error,
        createdAt: t.created_at,
        updatedAt: t.updated_at,
        completedAt: t.completed_at,
      });
    });
}
