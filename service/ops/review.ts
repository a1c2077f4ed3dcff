import { BankUnavailable, type Charge } from '../bank/client.ts';
import { sql } from '../db/sql.ts';
import {
  limitOption,
  type OpsContext,
  type OpsExit,
  type OpsGroup,
  type OpsInput,
  payoutDecision,
} from './command.ts';
import { alreadyDecided, type RecordedDecision, refuse } from './decision.ts';

interface Recorded {
  status: string;
  decision: 'settle' | 'refund' | null;
  actor: string | null;
  reason: string | null;
  decided_at: Date | null;
}

const done = { settle: 'settled', refund: 'refunded' } as const;

/** `review list|settle|refund`: the way out of recon's MANUAL_REVIEW, one recorded decision per payout. */
export const reviewGroup: OpsGroup = {
  name: 'review',
  summary: "payouts recon gave up on, in MANUAL_REVIEW (those held by the fraud rules are the fraud group's)",
  commands: [
    {
      name: 'list',
      args: [],
      options: { limit: limitOption(1_000) },
      decision: false,
      summary: 'payouts in review, oldest first, each with what the bank holds for it (one JSON line each)',
      run: list,
    },
    payoutDecision(
      'settle',
      'mark it SETTLED: only when the bank holds a charge for it (asked first)',
      (ctx, input) => decide(ctx, input, 'settle'),
    ),
    payoutDecision(
      'refund',
      'void its key at the bank (no later charge possible), then FAILED and refunded to its account',
      (ctx, input) => decide(ctx, input, 'refund'),
    ),
  ],
};

async function list(ctx: OpsContext, input: OpsInput): Promise<OpsExit> {
  const limit = Number(input.options.limit);
  const { rows } = await ctx.pool.query(sql('review-list'), [limit]);
  for (const r of rows) {
    const bank = await ctx.bank.lookup(r.id).then(
      (c) => c?.status ?? 'none',
      (err: Error) => `unknown (${err.message})`,
    );
    ctx.out(
      JSON.stringify({
        id: r.id,
        accountId: r.account_id,
        amount: r.amount,
        currency: r.currency,
        destination: r.destination,
        attempts: r.attempts,
        reconAttempts: r.recon_attempts,
        lastError: r.last_error,
        updatedAt: r.updated_at,
        bank,
      }),
    );
  }
  ctx.note(`${rows.length} payout(s) in review${rows.length === limit ? ' (the oldest shown)' : ''}`);
  return 0;
}

/**
 * Settles or refunds one payout in review, once. The bank is asked first: a settle needs a charge there;
 * a refund voids the key there first, so a request still in flight can never charge after it, and is
 * refused if the bank did charge. A repeat of the same decision reports it and changes nothing.
 */
async function decide(ctx: OpsContext, input: OpsInput, decision: 'settle' | 'refund'): Promise<OpsExit> {
  const id = input.args[0] as string;
  const before = await recorded(ctx, id);
  if (!before) return refuse(ctx, `no transfer ${id}`);
  if (before.decision) return report(ctx, id, decision, before);
  // review_transfer() does not look at holds; this check cannot race it: a hold is only ever created
  // with its payout, so one that is not open now never opens later.
  if (before.fraud_rule)
    return refuse(
      ctx,
      `${id} is held by the fraud rules (${before.fraud_rule}), not by recon: decide it with npm run ops -- fraud release|refuse`,
    );
  if (before.status !== 'MANUAL_REVIEW')
    return refuse(ctx, `${id} is ${before.status}, not in MANUAL_REVIEW`);

  let charge: Charge | null;
  try {
    charge = decision === 'settle' ? await ctx.bank.lookup(id) : await ctx.bank.void(id);
  } catch (err) {
    if (!(err instanceof BankUnavailable)) throw err;
    return refuse(ctx, `the bank cannot be reached (${err.message}): nothing was decided; try again`);
  }
  if (decision === 'settle' && charge?.status !== 'charged')
    return refuse(
      ctx,
      `the bank holds no charge for ${id} (${charge?.status ?? 'never seen'}): refund it instead`,
    );
  if (decision === 'refund' && charge?.status === 'charged')
    return refuse(ctx, `the bank charged ${id} (charge ${charge.id}): settle it instead`);

  const { rows } = await ctx.pool.query(sql('review-decide'), [
    id,
    decision,
    input.by,
    input.reason,
    decision === 'settle' ? (charge?.id ?? null) : null,
  ]);
  const row = rows[0] as Recorded & { outcome: string };
  if (row.outcome === 'settled' || row.outcome === 'refunded') {
    ctx.out(
      `${row.outcome} ${id}${decision === 'settle' ? ` (bank charge ${charge?.id})` : ''}: decided by ${input.by}: ${input.reason}`,
    );
    return 0;
  }
  if (row.outcome === 'not_in_review') return refuse(ctx, `${id} is ${row.status}, not in MANUAL_REVIEW`);
  return report(ctx, id, decision, row);
}

/** A decision was recorded before: the same one is done (exit 0), another is a refusal. */
function report(ctx: OpsContext, id: string, asked: 'settle' | 'refund', r: Recorded): OpsExit {
  const first: RecordedDecision = {
    done: done[r.decision as 'settle' | 'refund'],
    by: r.actor as string,
    at: r.decided_at as Date,
    reason: r.reason,
  };
  return alreadyDecided(ctx, id, done[asked], first);
}

async function recorded(
  ctx: OpsContext,
  id: string,
): Promise<(Recorded & { fraud_rule: string | null }) | null> {
  const { rows } = await ctx.pool.query(sql('review-get'), [id]);
  return rows[0] ?? null;
}
