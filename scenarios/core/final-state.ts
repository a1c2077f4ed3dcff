import type { FinalState } from '../checkers/final-state.ts';
import type { ScenarioContext } from './scenario.ts';

/** Reads the final state from Postgres, the bank and the queue (directly, never through a proxy). */
export async function gatherFinalState(ctx: ScenarioContext): Promise<FinalState> {
  const accounts = await ctx.db.query<FinalState['accounts'][number]>(
    `SELECT a.id, a.balance,
            coalesce(sum(l.amount), 0)::bigint AS "ledgerSum",
            coalesce(sum(l.amount) FILTER (WHERE l.kind IN ('deposit', 'transfer_in', 'transfer_out')), 0)::bigint
              AS "fundedNet"
       FROM accounts a LEFT JOIN ledger_entries l ON l.account_id = a.id
      GROUP BY a.id`,
  );
  const transfers = await ctx.db.query<FinalState['transfers'][number]>(
    `SELECT id, account_id AS "accountId", amount, status, attempts, recon_attempts AS "reconAttempts"
       FROM bank_transfers`,
  );
  const charges = await ctx.bank.allCharges();
  const counts = await ctx.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
  return {
    accounts: accounts.rows,
    transfers: transfers.rows,
    charges: charges.map((c) => ({
      id: c.id,
      key: c.key,
      reference: c.reference,
      amount: c.amount,
      status: c.status,
    })),
    queue: {
      waiting: counts.waiting ?? 0,
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      prioritized: counts.prioritized ?? 0,
    },
  };
}

/** Open transfers (neither SETTLED nor FAILED) right now. */
export async function openTransfers(ctx: ScenarioContext): Promise<number> {
  const { rows } = await ctx.db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM bank_transfers WHERE status NOT IN ('SETTLED', 'FAILED')",
  );
  return rows[0]?.n ?? 0;
}

/**
 * Waits until every transfer is terminal and the queue is empty, or the deadline passes (the checkers
 * then report what was left). Returns how long it took.
 */
export async function settle(ctx: ScenarioContext, opts: { deadlineMs: number }): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < opts.deadlineMs) {
    const counts = await ctx.queue.getJobCounts('waiting', 'active', 'delayed');
    const queued = (counts.waiting ?? 0) + (counts.active ?? 0) + (counts.delayed ?? 0);
    if (queued === 0 && (await openTransfers(ctx)) === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return Date.now() - start;
}
