import { readFileSync } from 'node:fs';
import { percentile } from '../../lib/percentile.ts';
import { hitsAfter } from '../chaos/evidence.ts';
import type { Fault } from '../chaos/nemesis.ts';
import { answeredThroughContention, type ConflictLog, noDeadlocks } from '../checkers/deadlocks.ts';
import { complete } from '../checkers/index.ts';
import { scrapeValue } from '../client/metrics-scrape.ts';
import { gatherFinalState, settle } from '../runner/final-state.ts';
import { type ReconRunSummary, reconRun } from '../runner/recon-run.ts';
import type { Scenario, ScenarioContext } from '../runner/scenario.ts';
import { type FundedAccount, fundedAccounts, inParallel } from '../runner/setup.ts';
import { between, payoutOp, sleep, standardChecks } from '../runner/workload.ts';

/** Few accounts, so every transfer, payout and refund meets the others on the same rows. */
const ACCOUNTS = 4;
const TRANSFER_CLIENTS = 8;
const PAYOUT_CLIENTS = 4;
const MONEY_OPS = ['transfer', 'payout', 'recon-run'];

/**
 * Opposite transfers A→B and B→A over four accounts, payouts on the same accounts, and a recon run
 * refunding hundreds of failed payouts of those accounts, all at once. Every path that locks several
 * rows takes them in one order, so Postgres should never have to break a deadlock; whatever it does
 * retry (40P01/40001) is counted, and none may reach a client.
 */
export const deadlock: Scenario = {
  name: 'deadlock',
  summary:
    'opposite transfers, payouts and a recon run refunding, all on the same four accounts at once: no deadlock, none reaches a client',
  checks: ['no-deadlocks', 'no-deadlock-reaches-client', 'money-conserved', 'refunded-once', '…standard'],
  faults: ['recon-refunds'],
  // Voided payouts written behind the API for recon to refund, and PostgreSQL's log of deadlocks.
  needs: ['users', 'funding', 'state', 'bank', 'recon', 'native:seed', 'native:postgres'],
  sabotages: [{ sabotage: 'unordered-transfer-locks', caughtBy: ['no-deadlocks'] }],
  plan: () => ({
    workers: 1,
    recon: true,
    proxies: false,
    // Only the run this scenario starts (the stuck rows it seeds are an hour old).
    env: { RECON_INTERVAL_MS: '3600000' },
  }),
  async run(ctx) {
    const seconds = ctx.scale === 'full' ? 60 : 12;
    const refunds = ctx.scale === 'full' ? 4_000 : 800;
    const accounts = await fundedAccounts(ctx, ACCOUNTS, 100_000_000);
    // Payouts the bank never charged and whose keys were voided: recon finds them and refunds each.
    const stuck = await ctx.target.native.seedStuck({
      accountIds: accounts.map((a) => a.accountId),
      perAccount: refunds / ACCOUNTS,
      amount: 100,
    });
    await inParallel(stuck, 50, (id) => ctx.bank.void(id));

    const clients = load(ctx, accounts, Date.now() + seconds * 1_000);
    await sleep(between(ctx.rng, 1_500, 2_500));
    let summary: ReconRunSummary = {};
    const recon = hitsAfter(
      reconRefunds(ctx, (s) => (summary = s)),
      'refunds made during the contention',
      () => Number(summary.failedByLookup ?? 0),
    );
    await ctx.nemesis.inject(recon, `${stuck.length} voided payouts to refund`);
    await clients;
    await ctx.nemesis.heal(recon);
    await settle(ctx, { deadlineMs: 60_000 });

    const state = await gatherFinalState(ctx);
    const ops = complete(ctx.recorder.ops);
    const apiUrls = ctx.target.metrics('api');
    let retried = 0;
    for (const sqlstate of ['40P01', '40001'])
      retried += await scrapeValue(apiUrls, 'db_transaction_retries_total', { sqlstate });
    const money = ops.filter((o) => o.f === 'transfer' || o.f === 'payout');
    const latencies = money
      .filter((o) => o.completedAt !== null)
      .map((o) => (o.completedAt as number) - o.invokedAt);
    const conflicts = conflictLog(ctx);
    return {
      checks: [
        noDeadlocks(conflicts),
        answeredThroughContention(ops, MONEY_OPS),
        ...standardChecks(state, ops),
      ],
      figures: {
        deadlocks_retried: retried,
        retries_per_1000_ops: Math.round((retried * 1_000_000) / Math.max(money.length, 1)) / 1000,
        latency_ms_p99: Math.round(percentile(latencies, 0.99)),
        deadlocks_detected: conflicts.deadlocks.length,
        transfers: ops.filter((o) => o.f === 'transfer').length,
        payouts: ops.filter((o) => o.f === 'payout').length,
        recon_refunds: Number(summary.failedByLookup ?? 0),
      },
    };
  },
};

/** Starts a recon run as a fault (it runs on while the load goes on); the heal waits for its answer. */
function reconRefunds(ctx: ScenarioContext, done: (summary: ReconRunSummary) => void): Fault {
  let running: Promise<unknown> = Promise.resolve();
  return {
    kind: 'recon-refunds',
    target: 'accounts',
    inject: async () => {
      running = reconRun(ctx).then(({ summary }) => done(summary));
    },
    heal: async () => {
      await running;
    },
  };
}

/** The steady load: opposite transfers and payouts over the same accounts, each client in a loop. */
async function load(ctx: ScenarioContext, accounts: FundedAccount[], stopAt: number): Promise<void> {
  const transfers = Array.from({ length: TRANSFER_CLIENTS }, async (_, c) => {
    const process = ctx.recorder.process();
    for (let i = 0; Date.now() < stopAt; i++) {
      const from = accounts[(c + i) % ACCOUNTS] as FundedAccount;
      const to = accounts[(c + i + 1 + (i % (ACCOUNTS - 1))) % ACCOUNTS] as FundedAccount;
      const body = {
        fromAccountId: from.accountId,
        toAccountId: to.accountId,
        amount: 1 + (i % 50),
        currency: 'USD',
      };
      const idempotencyKey = `dl-${ctx.seed}-t${c}-${i}`;
      await ctx.recorder.run(process, 'transfer', { idempotencyKey, ...body }, () =>
        ctx.api.transfer(from.apiKey, idempotencyKey, body),
      );
    }
  });
  const payouts = Array.from({ length: PAYOUT_CLIENTS }, async (_, c) => {
    const process = ctx.recorder.process();
    const account = accounts[c % ACCOUNTS] as FundedAccount;
    for (let i = 0; Date.now() < stopAt; i++) {
      await payoutOp(ctx, process, account, {
        idempotencyKey: `dl-${ctx.seed}-p${c}-${i}`,
        accountId: account.accountId,
        amount: 100,
        currency: 'USD',
        destination: `IBAN-${c}`,
      });
      await sleep(20);
    }
  });
  await Promise.all([...transfers, ...payouts]);
}

/** The lock conflicts Postgres broke, from its log (ERROR lines; the stack is fresh per run). */
function conflictLog(ctx: ScenarioContext): ConflictLog {
  const lines = readFileSync(ctx.target.native.postgresLogFile, 'utf8').split('\n');
  return {
    deadlocks: lines.filter((l) => l.includes('ERROR:  deadlock detected')),
    serializationFailures: lines.filter((l) => l.includes('ERROR:  could not serialize access')),
  };
}
