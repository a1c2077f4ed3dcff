import { hitsAcross } from '../chaos/evidence.ts';
import { pause } from '../chaos/process-faults.ts';
import { complete, reconBound } from '../checkers/index.ts';
import type { QueueSample } from '../checkers/recon-bound.ts';
import { gatherFinalState, settle } from '../runner/final-state.ts';
import { reconRun } from '../runner/recon-run.ts';
import type { Scenario } from '../runner/scenario.ts';
import { fundedAccounts, inParallel } from '../runner/setup.ts';
import { sleep, standardChecks, stateFigures } from '../runner/workload.ts';

const BOUND = 200;
const AMOUNT = 100;

/**
 * Thousands of transfers stuck in PROCESSING (some already charged at the bank, most not), then one
 * janitor run: each must be resolved exactly once, and the queue must never be flooded past the bound.
 */
export const reconFlood: Scenario = {
  name: 'recon-flood',
  summary:
    '10,000 transfers stuck in PROCESSING, some already charged; the recon janitor must resolve each once, throttled',
  checks: [
    'recon-bound',
    'all-terminal',
    'bank-charged-once',
    'money-conserved',
    'queue-drained',
    '…standard',
  ],
  faults: ['pause'],
  // Stuck rows written behind the API, and the queue's waiting count sampled every 50 ms.
  needs: ['users', 'funding', 'state', 'bank', 'recon', 'pause:worker', 'native:seed', 'native:queue'],
  sabotages: [{ sabotage: 'recon-no-throttle', caughtBy: ['recon-bound'] }],
  plan: () => ({
    workers: 2,
    recon: true,
    proxies: false,
    env: {
      RECON_QUEUE_BOUND: String(BOUND),
      RECON_BATCH: '100',
      RECON_STUCK_AFTER_MS: '60000',
      // Only the run this scenario triggers; the scheduled one would come after an hour.
      RECON_INTERVAL_MS: '3600000',
    },
  }),
  async run(ctx) {
    const stuck = ctx.scale === 'full' ? 50_000 : 10_000;
    const charged = Math.floor(stuck / 5);
    const accounts = await fundedAccounts(ctx, 10, (stuck / 10) * AMOUNT + 1_000);
    ctx.say(`seeding ${stuck} transfers stuck in PROCESSING`);
    const native = ctx.target.native;
    const ids = await native.seedStuck({
      accountIds: accounts.map((a) => a.accountId),
      perAccount: stuck / 10,
      amount: AMOUNT,
    });
    ctx.say(`charging ${charged} of them at the bank already (the worker died after the bank call)`);
    await inParallel(ids.slice(0, charged), 50, (id) =>
      ctx.bank.charge({ key: id, amount: AMOUNT, currency: 'USD', reference: id, destination: 'IBAN-R' }),
    );

    const samples: QueueSample[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const { waiting = 0 } = await native.queue.counts('waiting');
        samples.push({ time: ctx.recorder.now(), waiting });
        await sleep(50);
      }
    })();
    // The workers are frozen for the first seconds of the run, as when they are down during a flood:
    // only the throttle then stands between 10,000 rows and the queue.
    const queued = async () => {
      const counts = await native.queue.counts('waiting', 'active', 'delayed', 'completed', 'failed');
      return Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
    };
    const frozen = ctx.target
      .components('worker')
      .map((w) => hitsAcross(pause(w), 'payout jobs queued for the frozen workers', queued));
    for (const f of frozen) await ctx.nemesis.inject(f, 'workers frozen while recon starts');
    const started = Date.now();
    const running = reconRun(ctx, { bound: BOUND });
    await sleep(3_000);
    for (const f of frozen) await ctx.nemesis.heal(f);
    const { summary } = await running;
    const settleMs = await settle(ctx, { deadlineMs: 180_000 });
    const resolveAllMs = Date.now() - started;
    sampling = false;
    await sampler;
    const state = await gatherFinalState(ctx);
    return {
      checks: [reconBound(samples, BOUND), ...standardChecks(state, complete(ctx.recorder.ops))],
      figures: {
        resolve_all_ms: resolveAllMs,
        peak_waiting: Math.max(0, ...samples.map((s) => s.waiting)),
        settled_by_lookup: Number(summary.settledByLookup ?? -1),
        requeued: Number(summary.requeued ?? -1),
        recon_run_ms: Number(summary.durationMs ?? -1),
        settle_after_run_ms: settleMs,
        ...stateFigures(state),
      },
    };
  },
};
