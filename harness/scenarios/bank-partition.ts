import { hitsBefore } from '../chaos/evidence.ts';
import { cut } from '../chaos/network-faults.ts';
import { complete } from '../checkers/index.ts';
import { resolvedByLookup } from '../checkers/resolved-by-lookup.ts';
import { gatherFinalState, openTransfers, queuedJobs, settle, transfersNow } from '../runner/final-state.ts';
import { reconRun } from '../runner/recon-run.ts';
import type { Scenario, ScenarioContext } from '../runner/scenario.ts';
import { type FundedAccount, fundedAccounts } from '../runner/setup.ts';
import { between, payoutOp, sleep, standardChecks, stateFigures } from '../runner/workload.ts';

const CLIENTS = 10;
/** How long a transfer must be unmoved before recon takes it (short here: the scenario waits for it). */
const STUCK_AFTER_MS = 3_000;

/**
 * The link from the service to the bank is cut while payouts are in flight: requests the bank received
 * and charged lose their answers, and the worker's retries and voids cannot get through until every
 * attempt is spent. After the heal, recon must resolve each from the bank's records — settled by lookup
 * when the bank charged it, re-sent when it never arrived — and charge nothing twice.
 */
export const bankPartition: Scenario = {
  name: 'bank-partition',
  summary:
    'the link to the bank cut while payouts are in flight, then healed; recon resolves each unknown outcome by lookup',
  checks: ['resolved-by-lookup', 'bank-charged-once', 'money-conserved', 'all-terminal', '…standard'],
  faults: ['cut'],
  // The payouts the workers gave up on are found among the dead letters, in the queue.
  needs: ['users', 'funding', 'state', 'bank', 'link:bank', 'recon', 'native:queue'],
  sabotages: [
    { sabotage: 'recon-no-lookup', caughtBy: ['resolved-by-lookup', 'bank-charged-once', 'money-conserved'] },
  ],
  plan: () => ({
    workers: 2,
    recon: true,
    proxies: true,
    env: {
      // Three quick attempts: every job caught by the cut runs out of them while the link is down.
      WORKER_ATTEMPTS: '3',
      WORKER_BACKOFF_MS: '200',
      BANK_TIMEOUT_MS: '1000',
      RECON_STUCK_AFTER_MS: String(STUCK_AFTER_MS),
      // Only the runs this scenario asks for.
      RECON_INTERVAL_MS: '3600000',
    },
  }),
  async run(ctx) {
    const link = await ctx.target.link('bank');
    const seconds = ctx.scale === 'full' ? 60 : 14;
    const accounts = await fundedAccounts(ctx, CLIENTS, 10_000_000);
    // A bank slow enough that the cut finds requests it has received and not yet answered.
    await ctx.bank.setFaults({ seed: ctx.seed, latencyMs: 300 });
    const stopAt = Date.now() + seconds * 1_000;
    const clients = load(ctx, accounts, stopAt);

    await sleep(between(ctx.rng, 3_000, 4_000));
    const partition = hitsBefore(cut(link), 'payouts in flight to the bank', () => processing(ctx));
    await ctx.nemesis.inject(partition, 'service → bank');
    // Longer than a job's whole attempt schedule (three attempts, then a void that cannot get through
    // either), so the payouts in flight at the cut are given up on while the link is down.
    await sleep(between(ctx.rng, 6_000, 8_000));
    await ctx.nemesis.heal(partition);
    await clients;
    await ctx.bank.setFaults({});
    await queueIdle(ctx, 30_000);

    // The workers have given up on these: only recon can resolve them, from what the bank holds, which
    // is read here before recon runs: the truth it must find.
    const unknown = await givenUp(ctx);
    const chargedAtBank: string[] = [];
    for (const id of unknown) if ((await ctx.bank.lookup(id))?.status === 'charged') chargedAtBank.push(id);
    let resolved = 0;
    for (let run = 0; run < 5 && (await openTransfers(ctx)) > 0; run++) {
      await sleep(STUCK_AFTER_MS + 500);
      const { summary } = await reconRun(ctx);
      resolved += Number(summary.settledByLookup ?? 0) + Number(summary.failedByLookup ?? 0);
    }
    const settleMs = await settle(ctx, { deadlineMs: 60_000 });
    const state = await gatherFinalState(ctx);
    const { transfers = 0, settled = 0, failed = 0 } = stateFigures(state);
    return {
      checks: [
        resolvedByLookup({ unknown, chargedAtBank }, state),
        ...standardChecks(state, complete(ctx.recorder.ops)),
      ],
      figures: {
        unknown_outcomes: unknown.length,
        resolved_by_lookup: resolved,
        charged_at_bank: chargedAtBank.length,
        transfers,
        settled,
        failed,
        settle_ms: settleMs,
      },
    };
  },
};

/** Transfers still open whose job was dead-lettered: the worker gave up without knowing what the bank did. */
async function givenUp(ctx: ScenarioContext): Promise<string[]> {
  const letters = new Set((await ctx.target.native.queue.deadLetters()).map((l) => l.transferId));
  return (await transfersNow(ctx))
    .filter((t) => (t.status === 'PENDING' || t.status === 'PROCESSING') && letters.has(t.id))
    .map((t) => t.id);
}

async function processing(ctx: ScenarioContext): Promise<number> {
  return (await transfersNow(ctx)).filter((t) => t.status === 'PROCESSING').length;
}

/** Waits until no payout job is waiting, active or delayed (the workers are done with what they have). */
async function queueIdle(ctx: ScenarioContext, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until && (await queuedJobs(ctx)) > 0) await sleep(200);
}

/** The steady load: each client pays out, then pauses a little, until the time is up. */
async function load(ctx: ScenarioContext, accounts: FundedAccount[], stopAt: number): Promise<void> {
  await Promise.all(
    accounts.map(async (account, c) => {
      const process = ctx.recorder.process();
      for (let i = 0; Date.now() < stopAt; i++) {
        await payoutOp(ctx, process, account, {
          idempotencyKey: `bp-${ctx.seed}-${c}-${i}`,
          accountId: account.accountId,
          amount: 100,
          currency: 'USD',
          destination: `IBAN-${c}`,
        });
        await sleep(50);
      }
    }),
  );
}
