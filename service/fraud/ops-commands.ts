import { userInfo } from 'node:os';
import { z } from 'zod';
import { type CommandTable, CommandUsageError } from '../cli/command-table.ts';
import { openHolds, type ReviewOutcome, refuseHeldPayout, releaseHeldPayout } from './holds.ts';

const transferId = z.uuid().transform((id) => id.toLowerCase());

function decisionArgs(args: { positionals: string[]; values: Record<string, unknown> }) {
  const parsed = transferId.safeParse(args.positionals[0]);
  if (!parsed.success) throw new CommandUsageError('name the held payout by its transfer id (a UUID)');
  const by = String(args.values.by ?? osUser()).trim();
  if (by.length < 1 || by.length > 100) throw new CommandUsageError('--by: 1-100 characters');
  const note = args.values.note === undefined ? null : String(args.values.note);
  if (note !== null && note.length > 500) throw new CommandUsageError('--note: at most 500 characters');
  return { id: parsed.data, decision: { by, note } };
}

/** Who is at the keyboard, for the record; a container without a passwd entry has no name. */
function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

const answer: Record<ReviewOutcome, string> = {
  released: 'released: PENDING again; the relay sends it to the bank',
  refused: 'refused: FAILED, the money is back in the account',
  not_held: 'not held by the fraud rules (unknown, not in review, or held by recon: see the review CLI)',
  already_decided: 'already decided by someone else; nothing changed',
};

const decisionOptions = {
  by: { type: 'string' as const },
  note: { type: 'string' as const },
};

/**
 * The fraud review queue from the shell (`npm run fraud -- …`), a command table the ops CLI can merge:
 * list open holds, release one (on to the bank through the outbox) or refuse it (refunded).
 */
export const fraudCommands: CommandTable = {
  list: {
    usage: '[--limit N]',
    summary: 'payouts held by the fraud rules and waiting for a decision, oldest first (JSON lines)',
    options: { limit: { type: 'string', default: '100' } },
    async run({ pool, out, note }, { values }) {
      const limit = Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
        throw new CommandUsageError('--limit must be an integer from 1 to 10000');
      const holds = await openHolds(pool, { limit });
      for (const h of holds) out(JSON.stringify(h));
      note(`${holds.length} held payout(s) waiting for review`);
      return 0;
    },
  },
  release: {
    usage: '<transferId> [--by NAME] [--note TEXT]',
    summary: 'let a held payout go: PENDING, and on to the bank through the outbox',
    options: decisionOptions,
    async run({ pool, out }, args) {
      const { id, decision } = decisionArgs(args);
      const outcome = await releaseHeldPayout(pool, id, decision);
      out(`${id}: ${answer[outcome]}`);
      return outcome === 'released' ? 0 : 1;
    },
  },
  refuse: {
    usage: '<transferId> [--by NAME] [--note TEXT]',
    summary: 'refuse a held payout: FAILED and refunded, never sent to the bank',
    options: decisionOptions,
    async run({ pool, out }, args) {
      const { id, decision } = decisionArgs(args);
      const outcome = await refuseHeldPayout(pool, id, decision);
      out(`${id}: ${answer[outcome]}`);
      return outcome === 'refused' ? 0 : 1;
    },
  },
};
