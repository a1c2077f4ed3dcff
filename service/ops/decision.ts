import type { OpsContext, OpsExit } from './command.ts';

/** A decision recorded before, as the groups report it: `settled`, `refunded`, `released`, `refused`. */
export interface RecordedDecision {
  done: string;
  by: string;
  at: Date;
  /** Null only for a hold decided before a reason was required. */
  reason: string | null;
}

/**
 * A payout was decided before: the same decision again is done (exit 0, nothing changes: commands are
 * safe to retry); another one is refused (exit 1), naming who decided first and why.
 */
export function alreadyDecided(
  ctx: Pick<OpsContext, 'out'>,
  id: string,
  asked: string,
  r: RecordedDecision,
): OpsExit {
  const what = `${r.done} by ${r.by} at ${r.at.toISOString()}: ${r.reason ?? '(no reason recorded)'}`;
  if (r.done === asked) {
    ctx.out(`already ${what} (nothing changed)`);
    return 0;
  }
  return refuse(ctx, `${id} was already ${what}`);
}

/** The state does not allow it: says why (exit 1). Nothing was changed. */
export function refuse(ctx: Pick<OpsContext, 'out'>, why: string): OpsExit {
  ctx.out(`refused: ${why}`);
  return 1;
}
