import { opsInFlight } from '../chaos/evidence.ts';
import type { Fault } from '../chaos/nemesis.ts';
import { acceptedDuring } from '../checkers/accepted-during.ts';
import { complete, type FinalTransfer } from '../checkers/index.ts';
import { noStaleRead } from '../checkers/no-stale-read.ts';
import { readsAnswered } from '../checkers/reads-answered.ts';
import { ReadClient } from '../client/read-client.ts';
import { gatherFinalState, settle, transfersNow } from '../runner/final-state.ts';
import type { Scenario, ScenarioContext, StackPlan } from '../runner/scenario.ts';
import { type FundedAccount, fundedAccounts } from '../runner/setup.ts';
import { faultWindowFigures, steadyPayouts } from '../runner/steady-payouts.ts';
import { between, readOp, sleep, standardChecks, stateFigures } from '../runner/workload.ts';

const CLIENTS = 10;

/** The outbox needs only Postgres: payouts asked for while Redis is away must all be accepted. */
export const ACCEPTED_DURING_OUTAGE = {
  name: 'payouts-accepted-during-outage',
  description: 'Every payout asked for while the queue Redis was unreachable was accepted with 201.',
};
/**
 * Payouts offered per second (open model): enough that the cut's window holds well over a hundred,
 * little enough that a busy 2-core machine keeps up with them and the reads besides.
 */
const PAYOUTS_PER_S = 25;
/**
 * How often each client updates its profile: rarely enough that, after the heal, there are reads
 * between the reconnect and the next update (where a forgotten purge would show), and under the
 * profile-write limit even while an update during the outage takes a few seconds to answer.
 */
const PROFILE_UPDATE_EVERY_MS = 2_500;
/**
 * After the heal the clients update no profile for this long, and read on: the api takes a couple of
 * seconds to reconnect and trust its cache again, and only reads in between that and the next update
 * can meet an entry a forgotten purge left stale (on a busy machine a 2.5 s update rhythm alone missed it).
 */
const QUIET_AFTER_HEAL_MS = 5_000;
/** Between a client's rounds of reads: keeps each user under the balance-read limit (10/s per user) with room to spare. */
const READ_PAUSE_MS = 100;

/**
 * Settings of the scenarios that lose the queue Redis's newest jobs (a crash before its AOF flush, a
 * failover before the replica had them): stalled jobs taken over and stuck payouts re-sent by recon
 * within seconds, so the run settles without waiting for the production intervals.
 */
export const QUEUE_LOSS_ENV = {
  RELAY_POLL_MS: '200',
  STALLED_INTERVAL_MS: '2000',
  JOB_LOCK_MS: '5000',
  RECON_STUCK_AFTER_MS: '8000',
  RECON_INTERVAL_MS: '3000',
};

/**
 * Steady payouts (offered at a constant rate, open model) and reads while the queue Redis goes away,
 * then comes back. The outbox needs only Postgres, so payouts must keep being accepted during the outage
 * — the figures give the accepted rate against the offered one — and all be paid, once, after it.
 * With `cache`, the clients also read and update their profiles, and the cache Redis goes away too:
 * reads must still be answered (from Postgres), and no read may return a profile older than an update
 * acknowledged before it, however the cache came back.
 */
export function redisOutage(variant: {
  name: string;
  summary: string;
  plan: StackPlan;
  sabotages: Scenario['sabotages'];
  /** The fault kind `fault` makes. */
  kind: string;
  /** What `fault` needs of the target besides the workload's. */
  needs: Scenario['needs'];
  /** The fault; its `figures`, when it has them, are read once everything has settled. */
  fault: (
    ctx: ScenarioContext,
    accounts: FundedAccount[],
  ) => Promise<Fault & { figures?: () => Promise<Record<string, number>> }>;
  cache?: boolean;
}): Scenario {
  return {
    name: variant.name,
    summary: variant.summary,
    checks: [
      'payouts-accepted-during-outage',
      ...(variant.cache ? ['reads-answered-during-outage', 'no-stale-profile'] : []),
      'all-terminal',
      'bank-charged-once',
      'money-conserved',
      '…standard',
    ],
    faults: [variant.kind],
    needs: [
      'users',
      'funding',
      'state',
      'bank',
      ...(variant.cache ? (['state:profiles'] as const) : []),
      ...variant.needs,
    ],
    sabotages: variant.sabotages,
    plan: () => variant.plan,
    async run(ctx) {
      const seconds = ctx.scale === 'full' ? 60 : 18;
      const accounts = await fundedAccounts(ctx, CLIENTS, 10_000_000);
      const phase: Phase = { stopAt: Date.now() + seconds * 1_000, updatesFrom: 0 };
      const profiles = variant.cache ? new ReadClient(ctx.target.description.api.urls[0] as string) : null;
      const payouts = steadyPayouts(ctx, {
        accounts,
        ratePerS: PAYOUTS_PER_S,
        durationS: seconds,
        keyPrefix: `rc-${ctx.seed}`,
      });
      const clients = accounts.map((a, c) => client(ctx, a, c, phase, profiles));

      await sleep(between(ctx.rng, 3_000, 5_000));
      const measured = await variant.fault(ctx, accounts);
      const fault = opsInFlight(measured, ctx.recorder.ops);
      const from = ctx.recorder.now();
      await ctx.nemesis.inject(fault);
      await sleep(between(ctx.rng, 6_000, 9_000));
      const to = ctx.recorder.now();
      await ctx.nemesis.heal(fault);
      phase.updatesFrom = Date.now() + QUIET_AFTER_HEAL_MS;
      phase.stopAt = Math.max(phase.stopAt, phase.updatesFrom);
      const drainAfterHealMs = await backlogDrained(ctx, { deadlineMs: 45_000 });
      const offered = await payouts.done;
      await Promise.all(clients);
      await settle(ctx, { deadlineMs: 30_000 });
      const state = await gatherFinalState(ctx);
      const ops = complete(ctx.recorder.ops);
      const during = acceptedDuring(ops, { from, to }, ACCEPTED_DURING_OUTAGE);
      const cacheChecks = variant.cache
        ? [
            readsAnswered(ops, {
              name: 'reads-answered-during-outage',
              description:
                'Every profile and balance read asked for while Redis was cut was answered (from Postgres; a 429 from the in-process limiter counts as an answer).',
              reads: ['profile-read', 'read'],
              window: { from, to },
              accepted: [429],
            }),
            noStaleRead(ops),
          ]
        : [];
      return {
        checks: [during, ...cacheChecks, ...standardChecks(state, ops)],
        figures: {
          outage_ms: Math.round(to - from),
          payouts_during_outage: during.figures?.accepted ?? 0,
          errors_during_outage: during.errorCount,
          drain_after_heal_ms: drainAfterHealMs,
          ...faultWindowFigures(offered, payouts.records, { from, to }),
          ...(await measured.figures?.()),
          ...stateFigures(state),
        },
      };
    },
  };
}

/** When the clients stop, and from when they may update profiles again (moved at the heal). */
interface Phase {
  stopAt: number;
  updatesFrom: number;
}

async function client(
  ctx: ScenarioContext,
  account: FundedAccount,
  c: number,
  phase: Phase,
  profiles: ReadClient | null,
) {
  const process = ctx.recorder.process();
  // Reads first: the cache must hold a profile before the cut for a forgotten purge to leave it stale.
  let lastUpdate = Date.now();
  for (let i = 0; Date.now() < phase.stopAt; i++) {
    await readOp(ctx, process, account);
    if (profiles) {
      const userId = account.userId;
      if (Date.now() - lastUpdate >= PROFILE_UPDATE_EVERY_MS && Date.now() >= phase.updatesFrom) {
        const bio = `client ${c}, step ${i}`;
        await ctx.recorder.run(process, 'profile-update', { userId, bio }, () =>
          profiles.updateProfile(account.apiKey, { bio }),
        );
        lastUpdate = Date.now();
      }
      await ctx.recorder.run(process, 'profile-read', { userId }, () => profiles.profile(account.apiKey));
    }
    await sleep(READ_PAUSE_MS);
  }
}

/** Cuts several links as one fault (a partition of the Redis host); the heal restores them all. */
export function cutAll(links: Fault[]): Fault {
  return {
    kind: 'cut',
    target: links.map((l) => l.target).join('+'),
    inject: async () => {
      for (const l of links) await l.inject();
    },
    heal: async () => {
      for (const l of links) await l.heal();
    },
  };
}

/** Time until every payout accepted before the heal is terminal (the outage's backlog is paid), or -1. */
async function backlogDrained(ctx: ScenarioContext, opts: { deadlineMs: number }): Promise<number> {
  const start = Date.now();
  const terminal = (t: FinalTransfer) => t.status === 'SETTLED' || t.status === 'FAILED';
  const backlog = new Set((await transfersNow(ctx)).filter((t) => !terminal(t)).map((t) => t.id));
  while (Date.now() - start < opts.deadlineMs) {
    const open = (await transfersNow(ctx)).filter((t) => backlog.has(t.id) && !terminal(t));
    if (open.length === 0) return Date.now() - start;
    await sleep(100);
  }
  return -1;
}
