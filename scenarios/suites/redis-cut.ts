import type { Fault } from '../../chaos/nemesis.ts';
import { cut } from '../../chaos/network-faults.ts';
import { kill } from '../../chaos/process-faults.ts';
import { complete } from '../checkers/index.ts';
import type { CheckResult } from '../core/checker.ts';
import { gatherFinalState, settle } from '../core/final-state.ts';
import type { Completed } from '../core/history.ts';
import type { Scenario, ScenarioContext, StackPlan } from '../core/scenario.ts';
import { type FundedAccount, fundedAccounts } from '../core/setup.ts';
import { between, payoutOp, readOp, sleep, standardChecks, stateFigures } from '../core/workload.ts';

const CLIENTS = 10;

/**
 * Steady payouts and reads while the queue Redis goes away, then comes back. The outbox needs only
 * Postgres, so payouts must keep being accepted during the outage and all be paid, once, after it.
 */
function redisOutage(variant: {
  name: string;
  summary: string;
  plan: StackPlan;
  sabotages: Scenario['sabotages'];
  fault: (ctx: ScenarioContext) => Fault;
}): Scenario {
  return {
    name: variant.name,
    summary: variant.summary,
    checks: [
      'payouts-accepted-during-outage',
      'all-terminal',
      'bank-charged-once',
      'money-conserved',
      '…standard',
    ],
    sabotages: variant.sabotages,
    plan: () => variant.plan,
    async run(ctx) {
      const seconds = ctx.scale === 'full' ? 60 : 18;
      const accounts = await fundedAccounts(ctx, CLIENTS, 10_000_000);
      const stopAt = Date.now() + seconds * 1_000;
      const clients = accounts.map((a, c) => client(ctx, a, c, stopAt));

      await sleep(between(ctx.rng, 3_000, 5_000));
      const fault = variant.fault(ctx);
      const from = ctx.recorder.now();
      await ctx.nemesis.inject(fault);
      await sleep(between(ctx.rng, 6_000, 9_000));
      const to = ctx.recorder.now();
      await ctx.nemesis.heal(fault);
      const drainAfterHealMs = await backlogDrained(ctx, { deadlineMs: 45_000 });
      await Promise.all(clients);
      await settle(ctx, { deadlineMs: 30_000 });
      const state = await gatherFinalState(ctx);
      const ops = complete(ctx.recorder.ops);
      const during = acceptedDuringOutage(ops, { from, to });
      return {
        checks: [during, ...standardChecks(state, ops)],
        figures: {
          outageMs: Math.round(to - from),
          payoutsDuringOutage: during.figures?.accepted ?? 0,
          errorsDuringOutage: during.errorCount,
          drainAfterHealMs,
          ...stateFigures(state),
        },
      };
    },
  };
}

async function client(ctx: ScenarioContext, account: FundedAccount, c: number, stopAt: number) {
  const process = ctx.recorder.process();
  for (let i = 0; Date.now() < stopAt; i++) {
    await payoutOp(ctx, process, account, {
      idempotencyKey: `rc-${ctx.seed}-${c}-${i}`,
      accountId: account.accountId,
      amount: 100,
      currency: 'USD',
      destination: `IBAN-${c}`,
    });
    await readOp(ctx, process, account);
    await sleep(20);
  }
}

/** Time until every payout accepted before the heal is terminal (the outage's backlog is paid), or -1. */
async function backlogDrained(ctx: ScenarioContext, opts: { deadlineMs: number }): Promise<number> {
  const start = Date.now();
  const { rows } = await ctx.db.query<{ t: Date }>('SELECT now() AS t');
  const healedAt = rows[0]?.t;
  while (Date.now() - start < opts.deadlineMs) {
    const open = await ctx.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM bank_transfers WHERE created_at <= $1 AND status NOT IN ('SETTLED', 'FAILED')",
      [healedAt],
    );
    if ((open.rows[0]?.n ?? 0) === 0) return Date.now() - start;
    await sleep(100);
  }
  return -1;
}

/** Payouts invoked while Redis was away must all be accepted (201): the outbox needs only Postgres. */
export function acceptedDuringOutage(ops: Completed[], window: { from: number; to: number }): CheckResult {
  const during = ops.filter(
    (o) => o.f === 'payout' && o.invokedAt >= window.from && o.invokedAt <= window.to,
  );
  const accepted = during.filter(
    (o) => o.type === 'ok' && (o.response as { status?: number })?.status === 201,
  );
  const refused = during.filter((o) => !accepted.includes(o));
  return {
    name: 'payouts-accepted-during-outage',
    description: 'Every payout asked for while the queue Redis was unreachable was accepted with 201.',
    valid: accepted.length > 0 && refused.length === 0,
    errorCount: refused.length + (accepted.length === 0 ? 1 : 0),
    ...(refused[0] ? { first: refused[0], last: refused[refused.length - 1] } : {}),
    figures: { asked: during.length, accepted: accepted.length },
  };
}

export const redisCut = redisOutage({
  name: 'redis-cut',
  summary: 'steady payouts and reads while the link to the queue Redis is cut (proxy disabled), then healed',
  // No recon: every accepted payout must reach the bank through the outbox relay alone.
  plan: { workers: 1, recon: false, proxies: true, env: { RELAY_POLL_MS: '200' } },
  sabotages: ['enqueue-direct'],
  fault: (ctx) => {
    if (!ctx.proxies) throw new Error('redis-cut needs the stack to run with proxies');
    return cut(ctx.proxies.links.redisQueue);
  },
});

export const redisCrash = redisOutage({
  name: 'redis-crash',
  summary: 'steady payouts while the queue Redis process is SIGKILLed and restarted from its AOF',
  // Jobs written in the last second before the crash can be lost (AOF everysec): recon re-sends them.
  plan: {
    workers: 1,
    recon: true,
    proxies: false,
    env: { RELAY_POLL_MS: '200', RECON_STUCK_AFTER_MS: '8000', RECON_INTERVAL_MS: '3000' },
  },
  sabotages: [],
  fault: (ctx) => kill(ctx.stack.redisQueue),
});
