import {
  limitOption,
  type OpsContext,
  type OpsExit,
  type OpsGroup,
  type OpsInput,
  payoutDecision,
} from '../ops/command.ts';
import { alreadyDecided, refuse } from '../ops/decision.ts';
import { holdState, openHolds, refuseHeldPayout, releaseHeldPayout } from './holds.ts';

const effect = {
  released: 'PENDING again; the relay sends it to the bank',
  refused: 'FAILED, the money is back in the account',
} as const;

/**
 * `fraud list|release|refuse`: the fraud review queue. Release lets a held payout go on to the bank
 * through the outbox; refuse fails and refunds it. Recon's MANUAL_REVIEW is the review group's.
 */
export const fraudGroup: OpsGroup = {
  name: 'fraud',
  summary: 'payouts held by the fraud rules (MANUAL_REVIEW before the bank ever saw them)',
  commands: [
    {
      name: 'list',
      args: [],
      options: { limit: limitOption(100) },
      decision: false,
      summary: 'held payouts waiting for a decision, oldest first (one JSON line each)',
      async run({ pool, out, note }, { options }) {
        const holds = await openHolds(pool, { limit: Number(options.limit) });
        for (const h of holds) out(JSON.stringify(h));
        note(`${holds.length} held payout(s) waiting for review`);
        return 0;
      },
    },
    payoutDecision(
      'release',
      'let a held payout go: PENDING, and on to the bank through the outbox',
      (ctx, input) => decide(ctx, input, 'released'),
    ),
    payoutDecision(
      'refuse',
      'refuse a held payout: FAILED and refunded, never sent to the bank',
      (ctx, input) => decide(ctx, input, 'refused'),
    ),
  ],
};

/**
 * Applies one decision to an open hold, atomically with its record. When it was not applied, says why
 * from what Postgres holds: the same decision made before is done (exit 0), anything else is refused.
 */
async function decide(ctx: OpsContext, input: OpsInput, decision: 'released' | 'refused'): Promise<OpsExit> {
  const id = input.args[0] as string;
  const d = { by: input.by, reason: input.reason };
  const apply = decision === 'released' ? releaseHeldPayout : refuseHeldPayout;
  if ((await apply(ctx.pool, id, d)) === decision) {
    ctx.out(`${decision} ${id}: ${effect[decision]}; decided by ${d.by}: ${d.reason}`);
    return 0;
  }
  const hold = await holdState(ctx.pool, id);
  if (!hold) return refuse(ctx, `no transfer ${id}`);
  if (hold.decision)
    return alreadyDecided(ctx, id, decision, {
      done: hold.decision,
      by: hold.decidedBy as string,
      at: hold.decidedAt as Date,
      reason: hold.reason,
    });
  if (!hold.rule && hold.status === 'MANUAL_REVIEW')
    return refuse(
      ctx,
      `${id} is in MANUAL_REVIEW because recon gave up on it, not held by the fraud rules: decide it with npm run ops -- review settle|refund`,
    );
  return refuse(ctx, `${id} is ${hold.status}, not held by the fraud rules`);
}
