import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { MoneyRow, MoneyStore, PayoutBatch, PayoutItem } from './money-repo.ts';
import { payoutBatch } from './operations.ts';

/*
 * How payoutBatch() falls back when a batch fails: against a store the test scripts (the money
 * functions themselves are tested against PostgreSQL in service/test/).
 */

const item = (amount: number): PayoutItem => ({
  amount,
  currency: 'USD',
  destination: 'IBAN-1',
  idempotencyKey: `k-${amount}`,
  requestHash: randomBytes(32),
  holdReason: null,
  deadline: null,
});

/** A store that fails every batch of several, and a payout of 13 alone; it counts batches at once. */
function scriptedStore() {
  let inFlight = 0;
  const seen = { maxInFlight: 0, batches: 0 };
  const store: MoneyStore = {
    async payoutBatch(batch: PayoutBatch): Promise<MoneyRow[]> {
      seen.batches++;
      seen.maxInFlight = Math.max(seen.maxInFlight, ++inFlight);
      try {
        await new Promise((r) => setTimeout(r, 5));
        if (batch.items.length > 1 || batch.items[0]?.amount === 13) throw new Error('a bug in one payout');
        return batch.items.map((i) => ({
          outcome: 'created',
          response_status: 201,
          response_body: { amount: i.amount },
          lock_wait_s: null,
          lock_hold_s: null,
        }));
      } finally {
        inFlight--;
      }
    },
    statement: () => Promise.reject(new Error('not used')),
  };
  return { store, seen };
}

describe('payoutBatch', () => {
  it('retries a failed batch one payout at a time, never more transactions at once than the batch', async () => {
    const { store, seen } = scriptedStore();
    const deps = { pool: {} as pg.Pool, lockTimeoutMs: 2_000, retries: 0, store };
    const amounts = Array.from({ length: 16 }, (_, i) => i + 1);
    const outcomes = await payoutBatch(deps, 'user', 'account', amounts.map(item));
    expect(seen).toEqual({ maxInFlight: 1, batches: 1 + 16 });
    expect(outcomes.map((o) => (o instanceof Error ? o.message : o.response_body?.amount))).toEqual(
      amounts.map((a) => (a === 13 ? 'a bug in one payout' : a)),
    );
  });
});
