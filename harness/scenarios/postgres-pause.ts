import { opsInFlight } from '../chaos/evidence.ts';
import { pause } from '../chaos/process-faults.ts';
import { answeredInTime } from '../checkers/answered-in-time.ts';
import { complete } from '../checkers/index.ts';
import { type WrittenPayout, writtenByDeadline } from '../checkers/written-by-deadline.ts';
import type { Completed } from '../core/history.ts';
import { gatherFinalState, settle, transfersNow } from '../runner/final-state.ts';
import type { Scenario, ScenarioContext } from '../runner/scenario.ts';
import { fundedAccounts } from '../runner/setup.ts';
import { faultWindowFigures, steadyPayouts } from '../runner/steady-payouts.ts';
import { between, sleep, standardChecks, stateFigures } from '../runner/workload.ts';

/** Hot accounts: every one busy enough that its payouts queue behind the two batches in the database. */
const ACCOUNTS = 4;
/** Payouts offered per second (open model), over all accounts. */
const PAYOUTS_PER_S = 80;
/** The service's default PAYOUT_DEADLINE_MS, set here so that the scenario states the bound it judges. */
const DEADLINE_MS = 5_000;
/**
 * What an answer may take beyond the deadline: the request's way to the service and back, and the
 * timers of an API process that has just been handed a burst. Harness and service share the clock.
 */
const SLACK_MS = 1_000;
/**
 * PAYOUT_COALESCE_QUEUE_MAX lowered from its 1,000 so that at ci scale an account's queue fills during
 * the pause (20 payouts a second each) and the refusal of a full queue is exercised too.
 */
const QUEUE_MAX = 40;

/**
 * Coalesced hot-account payouts while PostgreSQL — postmaster and every backend — is SIGSTOPped for
 * longer than a payout's deadline, then resumed: the database neither answers nor closes a connection,
 * which is what a connection lost without a reset looks like too. Every payout must be answered within
 * its deadline (accepted, refused with nothing written, or unknown), and none may be written after it
 * when the database comes back: the backlog of requests whose clients were told no must not run.
 */
export const postgresPause: Scenario = {
  name: 'postgres-pause',
  summary:
    'coalesced hot-account payouts while PostgreSQL is SIGSTOPped longer than their deadline, then resumed',
  checks: [
    'answered-in-time',
    'written-by-deadline',
    'refusals-changed-nothing',
    'all-terminal',
    '…standard',
  ],
  faults: ['pause'],
  // The stack started with coalescing on and the deadline this scenario judges by.
  needs: ['users', 'funding', 'state', 'bank', 'pause:postgres', 'native:settings'],
  sabotages: [{ sabotage: 'no-payout-deadline', caughtBy: ['answered-in-time', 'written-by-deadline'] }],
  plan: () => ({
    workers: 1,
    recon: false,
    proxies: false,
    env: {
      PAYOUT_COALESCE: 'on',
      PAYOUT_DEADLINE_MS: String(DEADLINE_MS),
      PAYOUT_COALESCE_QUEUE_MAX: String(QUEUE_MAX),
      // Keys stay cached through the pause: what is judged is the payout path's bound. A key looked
      // up while the database is stopped waits as any query does (DATABASE_QUERY_TIMEOUT_MS).
      AUTH_CACHE_TTL_MS: '60000',
    },
  }),
  async run(ctx) {
    const runStartedAt = Date.now() - ctx.recorder.now();
    const seconds = ctx.scale === 'full' ? 40 : 16;
    const accounts = await fundedAccounts(ctx, ACCOUNTS, 100_000_000);
    const payouts = steadyPayouts(ctx, {
      accounts,
      ratePerS: ctx.scale === 'full' ? 4 * PAYOUTS_PER_S : PAYOUTS_PER_S,
      durationS: seconds,
      keyPrefix: `pp-${ctx.seed}`,
      maxInFlight: 5_000,
    });

    await sleep(between(ctx.rng, 3_000, 4_000));
    const [postgres] = ctx.target.components('postgres');
    if (!postgres) throw new Error('no postgres component');
    const stop = opsInFlight(pause(postgres), ctx.recorder.ops);
    const pauseMs = between(ctx.rng, DEADLINE_MS + 2_500, DEADLINE_MS + 3_500);
    const from = ctx.recorder.now();
    await ctx.nemesis.inject(stop, `SIGSTOP postmaster and backends for ${pauseMs} ms`);
    await sleep(pauseMs);
    await ctx.nemesis.heal(stop);
    const to = ctx.recorder.now();

    const offered = await payouts.done;
    const settleMs = await settle(ctx, { deadlineMs: 30_000 });
    const state = await gatherFinalState(ctx);
    const ops = complete(ctx.recorder.ops);
    const inTime = answeredInTime(ops, { boundMs: DEADLINE_MS + SLACK_MS, f: (f) => f === 'payout' });
    const written = writtenByDeadline(ops, await writtenPayouts(ctx, ops), {
      deadlineMs: DEADLINE_MS,
      slackMs: SLACK_MS,
      runStartedAt,
    });
    const code = (c: string) => ops.filter((o) => o.f === 'payout' && o.error === c).length;
    return {
      checks: [inTime, written, ...standardChecks(state, ops)],
      figures: {
        pause_ms: pauseMs,
        bound_ms: DEADLINE_MS + SLACK_MS,
        answered_ms_max: inTime.figures?.answered_ms_max ?? -1,
        written_after_deadline: written.valid ? 0 : written.errorCount,
        written_after_ms_max: written.figures?.written_after_ms_max ?? -1,
        refused_deadline: code('payout_deadline_exceeded'),
        refused_queue_full: code('payout_queue_full'),
        unknown_at_deadline: code('database_unavailable'),
        ...faultWindowFigures(offered, payouts.records, { from, to }),
        ...stateFigures(state),
        settle_ms: settleMs,
      },
    };
  },
};

/**
 * The payouts of the history the target holds, with when each was written: found by their keys (whose
 * stored answer names the payout), timed by the payout's creation on the database's clock — the start
 * of the statement that wrote it, no later than the moment payout_batch() decided it under the row lock.
 */
async function writtenPayouts(ctx: ScenarioContext, ops: readonly Completed[]): Promise<WrittenPayout[]> {
  const asked = new Map<string, { accountId: string; key: string }>();
  for (const o of ops) {
    const r = o.request as { accountId?: unknown; idempotencyKey?: unknown } | null;
    if (typeof r?.accountId === 'string' && typeof r.idempotencyKey === 'string')
      asked.set(`${r.accountId} ${r.idempotencyKey}`, { accountId: r.accountId, key: r.idempotencyKey });
  }
  const keys = (await ctx.target.state?.keys([...asked.values()])) ?? [];
  const created = new Map((await transfersNow(ctx)).map((t) => [t.id, t.createdAt]));
  return keys.flatMap((k) => {
    if (k.status !== 201) return [];
    const writtenAt = k.resultId === undefined ? undefined : created.get(k.resultId);
    if (writtenAt === undefined)
      throw new Error(`the target's reads give no creation time for the payout of key ${k.key}`);
    return [{ accountId: k.accountId, key: k.key, writtenAt }];
  });
}
