import type { Faults } from '../../fakes/bank/client.ts';
import { percentile } from '../../lib/percentile.ts';
import { bankFaults } from '../chaos/bank-faults.ts';
import { hitsAcross } from '../chaos/evidence.ts';
import { complete } from '../checkers/index.ts';
import { scrapeValue } from '../client/metrics-scrape.ts';
import { gatherFinalState, settle, terminalTimes } from '../runner/final-state.ts';
import type { Scenario, ScenarioContext } from '../runner/scenario.ts';
import { type FundedAccount, fundedAccounts } from '../runner/setup.ts';
import { payoutOp, sleep, standardChecks, stateFigures } from '../runner/workload.ts';

const CLIENTS = 10;
/** The worker's bank timeout here; the bank's timeout fault holds a request far longer (a minute). */
const BANK_TIMEOUT_MS = 1_000;

/**
 * What the bank does while it is lossy. Errors and timeouts never charge; a dropped response charges and
 * then hangs up; a latency spike outlives the worker's timeout and charges afterwards (unless the key
 * was voided meanwhile); a few charges are declined. With 3 attempts a few payouts in a hundred end
 * with no answer at all, so voids, refunds and void-finds-a-charge all happen in every run.
 */
const LOSSY: Partial<Faults> = {
  latencyMs: 10,
  errorRate: 0.15,
  timeoutRate: 0.05,
  dropResponseRate: 0.06,
  declineRate: 0.03,
  spikeRate: 0.05,
  spikeMs: 1_500,
};

/** What the bank's own metrics count as faults it fired (plain latency is not one). */
const FIRED = ['error', 'timeout', 'drop_response', 'decline', 'latency_spike'];

/**
 * Steady payouts while the bank is lossy — errors, timeouts longer than the worker's, charges whose
 * response is dropped, latency spikes that charge after the worker gave up, declines — then heals: the
 * refund, void-before-refund and void-finds-a-charge paths all run, under load.
 */
export const lossyBank: Scenario = {
  name: 'lossy-bank',
  summary:
    'steady payouts while the bank errs, times out, drops responses after charging, spikes and declines; then heals',
  checks: [
    'all-terminal',
    'bank-charged-once',
    'refunded-once',
    'money-conserved',
    'unknowns-resolved',
    '…standard',
  ],
  faults: ['bank-fault'],
  needs: ['users', 'funding', 'state', 'bank'],
  sabotages: [{ sabotage: 'refund-twice', caughtBy: ['ledger-matches-balance', 'money-conserved'] }],
  plan: () => ({
    workers: 2,
    // Recon is the safety net for anything the worker could not close; its lookups are counted.
    recon: true,
    proxies: false,
    env: {
      WORKER_ATTEMPTS: '3',
      WORKER_BACKOFF_MS: '200',
      BANK_TIMEOUT_MS: String(BANK_TIMEOUT_MS),
      RECON_STUCK_AFTER_MS: '15000',
      RECON_INTERVAL_MS: '5000',
    },
  }),
  async run(ctx) {
    const seconds = ctx.scale === 'full' ? 90 : 15;
    const accounts = await fundedAccounts(ctx, CLIENTS, 10_000_000);
    const bankMetrics = ctx.target.description.bank?.metrics ?? '';
    const fired = async () => {
      let n = 0;
      for (const kind of FIRED) n += await scrapeValue([bankMetrics], 'bank_faults_injected_total', { kind });
      return n;
    };
    // The reference's own count of its bank lookups, where the target's parts give /metrics.
    const services = ctx.target.components().flatMap((c) => (c.metrics ? [c.metrics] : []));
    const lookups = () =>
      services.length > 0
        ? scrapeValue(services, 'bank_calls_total', { operation: 'lookup' }).catch(() => null)
        : Promise.resolve(null);
    const lookupsBefore = await lookups();
    const lossy = hitsAcross(bankFaults(ctx.bank, { ...LOSSY, seed: ctx.seed }), 'bank faults fired', fired);
    await ctx.nemesis.inject(lossy, 'errors, timeouts, dropped responses, spikes, declines');
    await load(ctx, accounts, seconds * 1_000);
    // Keep the faults on while the last payouts go through their attempts, then heal.
    await sleep(3_000);
    await ctx.nemesis.heal(lossy);
    const settleMs = await settle(ctx, { deadlineMs: 60_000 });
    const state = await gatherFinalState(ctx);
    const times = await terminalTimes(ctx);
    const lookupsAfter = await lookups();
    const figures = stateFigures(state);
    return {
      checks: standardChecks(state, complete(ctx.recorder.ops)),
      figures: {
        retries: figures.worker_retries ?? 0,
        voids: state.charges.filter((c) => c.status === 'voided').length,
        refunds: state.transfers.filter((t) => t.refunds > 0).length,
        ...(lookupsBefore !== null && lookupsAfter !== null
          ? { bank_lookups: lookupsAfter - lookupsBefore }
          : {}),
        time_to_terminal_ms_p50: Math.round(percentile(times, 0.5)),
        time_to_terminal_ms_p99: Math.round(percentile(times, 0.99)),
        transfers: state.transfers.length,
        settled: figures.settled ?? 0,
        failed: figures.failed ?? 0,
        settle_ms: settleMs,
      },
    };
  },
};

/** The steady load: each client pays out, then pauses a little, until the time is up. */
async function load(ctx: ScenarioContext, accounts: FundedAccount[], durationMs: number): Promise<void> {
  const stopAt = Date.now() + durationMs;
  await Promise.all(
    accounts.map(async (account, c) => {
      const process = ctx.recorder.process();
      for (let i = 0; Date.now() < stopAt; i++) {
        await payoutOp(ctx, process, account, {
          idempotencyKey: `lb-${ctx.seed}-${c}-${i}`,
          accountId: account.accountId,
          amount: 100,
          currency: 'USD',
          destination: `IBAN-${c}`,
        });
        await sleep(40);
      }
    }),
  );
}
