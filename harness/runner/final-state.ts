import { type FinalState, type FinalTransfer, toFinalCharge } from '../checkers/final-state.ts';
import { complete } from '../checkers/pair.ts';
import type { Lookups } from '../checkers/unknowns-resolved.ts';
import type { StateReader } from '../target/state.ts';
import { MissingCapability } from '../target/target.ts';
import type { ScenarioContext } from './scenario.ts';

/** The target's state reads; a scenario that calls this declares the `state` capability. */
function reads(ctx: ScenarioContext): StateReader {
  if (!ctx.target.state) throw new MissingCapability(`${ctx.target.name} describes no state reads`);
  return ctx.target.state;
}

const accountsOf = (ctx: ScenarioContext) => [...ctx.scope.accounts];

/**
 * The final state of what the run created: its accounts and their payouts through the target's reads,
 * the bank's records of those payouts, and natively the payout queue's counts.
 */
export async function gatherFinalState(ctx: ScenarioContext): Promise<FinalState> {
  const ids = accountsOf(ctx);
  const [accounts, transfers] = await Promise.all([reads(ctx).accounts(ids), reads(ctx).transfers(ids)]);
  // A charge is the run's when it names one of its payouts: by reference, or (a void) by key.
  const ours = new Set(transfers.map((t) => t.id));
  const charges = (await ctx.bank.allCharges()).filter((c) => ours.has(c.reference) || ours.has(c.key));
  const counts = ctx.target.opts.native
    ? await ctx.target.native.queue.counts('waiting', 'active', 'delayed', 'prioritized')
    : null;
  return {
    accounts,
    transfers,
    charges: charges.map(toFinalCharge),
    ...(counts
      ? {
          queue: {
            waiting: counts.waiting ?? 0,
            active: counts.active ?? 0,
            delayed: counts.delayed ?? 0,
            prioritized: counts.prioritized ?? 0,
          },
        }
      : {}),
    ...(await gatherLookups(ctx)),
  };
}

/**
 * What resolves the operations whose outcome was unknown (`info`): the idempotency keys the service
 * stored for them, and the versions of profiles with an unknown update, through the target's reads.
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
  const keys = keyed.length > 0 ? await reads(ctx).keys(keyed) : [];
  const profiles = users.size > 0 ? ((await reads(ctx).profiles([...users])) ?? []) : [];
  return { keys, profiles };
}

/** The run's payouts, as the target reads them now. */
export function transfersNow(ctx: ScenarioContext): Promise<FinalTransfer[]> {
  return reads(ctx).transfers(accountsOf(ctx));
}

/**
 * transfersNow() for several pollers at once: a read at most `maxAgeMs` old is shared, so that many
 * waiting loops cost the target one read per period, not one each.
 */
export function sharedTransfers(ctx: ScenarioContext, maxAgeMs: number): () => Promise<FinalTransfer[]> {
  let last: { at: number; read: Promise<FinalTransfer[]> } | null = null;
  return () => {
    const now = Date.now();
    if (!last || now - last.at >= maxAgeMs) last = { at: now, read: transfersNow(ctx) };
    return last.read;
  };
}

/** The run's open payouts (neither SETTLED nor FAILED) right now. */
export async function openTransfers(ctx: ScenarioContext): Promise<number> {
  return (await reads(ctx).open(accountsOf(ctx))).transfers;
}

/** Natively, payout jobs waiting, active or delayed in the queue; 0 where the queue is out of sight. */
export async function queuedJobs(ctx: ScenarioContext): Promise<number> {
  if (!ctx.target.opts.native) return 0;
  const counts = await ctx.target.native.queue.counts('waiting', 'active', 'delayed');
  return (counts.waiting ?? 0) + (counts.active ?? 0) + (counts.delayed ?? 0);
}

/**
 * Waits until every payout of the run is terminal (and natively the queue is empty), or the deadline
 * passes (the checkers then report what was left). Returns how long it took.
 */
export async function settle(ctx: ScenarioContext, opts: { deadlineMs: number }): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < opts.deadlineMs) {
    if ((await queuedJobs(ctx)) === 0 && (await openTransfers(ctx)) === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return Date.now() - start;
}

/** Milliseconds from creation to SETTLED/FAILED of the run's terminal payouts that `which` selects. */
export async function terminalTimes(
  ctx: ScenarioContext,
  which: (t: FinalTransfer) => boolean = () => true,
): Promise<number[]> {
  return (await transfersNow(ctx)).flatMap((t) =>
    t.completedAt != null && t.createdAt !== undefined && which(t) ? [t.completedAt - t.createdAt] : [],
  );
}
