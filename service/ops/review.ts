import { BankUnavailable, type Charge } from '../bank/client.ts';
import { sql } from '../db/sql.ts';
import type { OpsCommand, OpsContext, OpsExit, OpsInput } from './command.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LIST_LIMIT = 1_000;

interface Recorded {
  status: string;
  decision: 'settle' | 'refund' | null;
  actor: string | null;
  reason: string | null;
  decided_at: Date | null;
}

const transferId = (value: string) => (UUID.test(value) ? null : `"${value}" is not a transfer id (a uuid)`);

/** `review list|settle|refund`: the way out of MANUAL_REVIEW, one recorded decision per payout. */
export const reviewCommands: OpsCommand[] = [
  {
    group: 'review',
    name: 'list',
    args: [],
    decision: false,
    summary:
      'payouts in MANUAL_REVIEW, oldest first, each with what the bank holds for it (one JSON line each)',
    run: list,
  },
  {
    group: 'review',
    name: 'settle',
    args: ['<transferId>'],
    decision: true,
    summary: 'mark it SETTLED: only when the bank holds a charge for it (asked first)',
    checkArg: transferId,
    run: (ctx, input) => decide(ctx, input, 'settle'),
  },
  {
    group: 'review',
    name: 'refund',
    args: ['<transferId>'],
    decision: true,
    summary: 'void its key at the bank (no later charge possible), then FAILED and refunded to its account',
    checkArg: transferId,
    run: (ctx, input) => decide(ctx, input, 'refund'),
  },
];

async function list(ctx: OpsContext): Promise<OpsExit> {
  const { rows } = await ctx.pool.query(sql('review-list'), [LIST_LIMIT]);
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
  ctx.out(`${rows.length} payout(s) in review${rows.length === LIST_LIMIT ? ' (the oldest shown)' : ''}`);
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
function report(ctx: OpsContext, id: string, asked: string, r: Recorded): OpsExit {
  const what = `${r.decision === 'settle' ? 'settled' : 'refunded'} by ${r.actor} at ${r.decided_at?.toISOString()}: ${r.reason}`;
  if (r.decision === asked) {
    ctx.out(`already ${what} (nothing changed)`);
    return 0;
  }
  return refuse(ctx, `${id} was already ${what}`);
}

function refuse(ctx: OpsContext, why: string): OpsExit {
  ctx.out(`refused: ${why}`);
  return 1;
}

async function recorded(ctx: OpsContext, id: string): Promise<Recorded | null> {
  const { rows } = await ctx.pool.query<Recorded>(sql('review-get'), [id]);
  return rows[0] ?? null;
}
