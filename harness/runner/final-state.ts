import { type FinalState, toFinalCharge } from '../checkers/final-state.ts';
import { complete } from '../checkers/pair.ts';
import type { Lookups } from '../checkers/unknowns-resolved.ts';
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
    `SELECT t.id, t.account_id AS "accountId", t.amount, t.status, t.attempts, t.recon_attempts AS "reconAttempts",
            coalesce(r.n, 0) AS refunds, coalesce(r.amount, 0) AS refunded
       FROM bank_transfers t
       LEFT JOIN (SELECT transfer_id, count(*)::int AS n, sum(amount)::bigint AS amount
                    FROM ledger_entries WHERE kind = 'payout_reversal' GROUP BY transfer_id) r
         ON r.transfer_id = t.id`,
  );
  const charges = await ctx.bank.allCharges();
  const counts = await ctx.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
  return {
    accounts: accounts.rows,
    transfers: transfers.rows,
    charges: charges.map(toFinalCharge),
    queue: {
      waiting: counts.waiting ?? 0,
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      prioritized: counts.prioritized ?? 0,
    },
    ...(await gatherLookups(ctx)),
  };
}

/**
 * What resolves the operations whose outcome was unknown (`info`): the idempotency keys the service
 * stored for them, and the versions of profiles with an unknown update. Read directly from Postgres.
 */
export async function gatherLookups(ctx: ScenarioContext): Promise<Lookups> {
  // Unknown outcomes are resolved by their keys; refusals are checked to have left none behind.
  const notOk = complete(ctx.recorder.ops).filter((o) => o.type !== 'ok');
  const keyed: Array<{ accountId: string; key: string }> = [];
  const users = new Set<string>();
  for (const op of notOk) {
    const r = op.request as {
      idempotencyKey?: unknown;
      accountId?: unknown;
      fromAccountId?: unknown;
      userId?: unknown;
    };
    const accountId = r?.accountId ?? r?.fromAccountId;
    if (typeof r?.idempotencyKey === 'string' && typeof accountId === 'string')
      keyed.push({ accountId, key: r.idempotencyKey });
    if (op.f === 'profile-update' && typeof r?.userId === 'string') users.add(r.userId);
  }
  const keys = await ctx.db.query<Lookups['keys'][number]>(
    `SELECT q.account_id AS "accountId", k.key, k.response_status AS status
       FROM unnest($1::uuid[], $2::text[]) AS q(account_id, key)
       JOIN accounts a ON a.id = q.account_id
       JOIN idempotency_keys k ON k.user_id = a.user_id AND k.key = q.key`,
    [keyed.map((k) => k.accountId), keyed.map((k) => k.key)],
  );
  const profiles = await ctx.db.query<Lookups['profiles'][number]>(
    'SELECT user_id AS "userId", version FROM profiles WHERE user_id = ANY($1::uuid[])',
    [[...users]],
  );
  return { keys: keys.rows, profiles: profiles.rows };
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

/** Milliseconds from creation to SETTLED/FAILED of the terminal transfers `where` selects (SQL on t). */
export async function terminalTimes(
  ctx: ScenarioContext,
  where = 'true',
  params: unknown[] = [],
): Promise<number[]> {
  const { rows } = await ctx.db.query<{ ms: number }>(
    `SELECT extract(epoch FROM t.completed_at - t.created_at) * 1000 AS ms
       FROM bank_transfers t WHERE t.completed_at IS NOT NULL AND (${where})`,
    params,
  );
  return rows.map((r) => Number(r.ms));
}
