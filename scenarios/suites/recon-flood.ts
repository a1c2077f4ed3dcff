import { hitsAcross } from '../../chaos/evidence.ts';
import { pause } from '../../chaos/process-faults.ts';
import { complete, reconBound } from '../checkers/index.ts';
import type { QueueSample } from '../checkers/recon-bound.ts';
import { gatherFinalState, settle } from '../core/final-state.ts';
import type { Scenario, ScenarioContext } from '../core/scenario.ts';
import { fundedAccounts } from '../core/setup.ts';
import { sleep, standardChecks, stateFigures } from '../core/workload.ts';

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
    const ids = await seedStuck(
      ctx,
      accounts.map((a) => a.accountId),
      stuck / 10,
    );
    ctx.say(`charging ${charged} of them at the bank already (the worker died after the bank call)`);
    await inParallel(ids.slice(0, charged), 50, (id) =>
      ctx.bank.charge({ key: id, amount: AMOUNT, currency: 'USD', reference: id, destination: 'IBAN-R' }),
    );

    const samples: QueueSample[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        samples.push({ time: ctx.recorder.now(), waiting: await ctx.queue.getWaitingCount() });
        await sleep(50);
      }
    })();
    const recon = ctx.stack.services.find((s) => s.role === 'recon');
    if (!recon) throw new Error('recon-flood needs the recon role');
    // The workers are frozen for the first seconds of the run, as when they are down during a flood:
    // only the throttle then stands between 10,000 rows and the queue.
    const queued = async () => {
      const counts = await ctx.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
      return Object.values(counts).reduce((a, b) => a + b, 0);
    };
    const frozen = ctx.stack.services
      .filter((s) => s.role === 'worker')
      .map((w) => hitsAcross(pause(w), 'payout jobs queued for the frozen workers', queued));
    for (const f of frozen) await ctx.nemesis.inject(f, 'workers frozen while recon starts');
    const started = Date.now();
    const process = ctx.recorder.process();
    const running = ctx.recorder.run(process, 'recon-run', { bound: BOUND }, async () => {
      const res = await fetch(`${recon.opsUrl}/recon/run?timeoutMs=600000`, { method: 'POST' });
      const body = await res.json();
      return { type: res.ok ? 'ok' : 'info', value: { status: res.status, body } };
    });
    await sleep(3_000);
    for (const f of frozen) await ctx.nemesis.heal(f);
    const run = await running;
    const settleMs = await settle(ctx, { deadlineMs: 180_000 });
    const resolveAllMs = Date.now() - started;
    sampling = false;
    await sampler;
    const summary = ((run.value as { body?: { summary?: Record<string, number> } }).body?.summary ??
      {}) as Record<string, number>;
    const state = await gatherFinalState(ctx);
    return {
      checks: [reconBound(samples, BOUND), ...standardChecks(state, complete(ctx.recorder.ops))],
      figures: {
        resolveAllMs,
        peakWaiting: Math.max(0, ...samples.map((s) => s.waiting)),
        settledByLookup: summary.settledByLookup ?? -1,
        requeued: summary.requeued ?? -1,
        reconRunMs: summary.durationMs ?? -1,
        settleAfterRunMs: settleMs,
        ...stateFigures(state),
      },
    };
  },
};

/**
 * Payouts as the service would have left them had every worker died after taking them: debited, in the
 * ledger, PROCESSING, published, and not touched for an hour. One transaction, set-based.
 */
async function seedStuck(ctx: ScenarioContext, accountIds: string[], perAccount: number): Promise<string[]> {
  const { rows } = await ctx.db.query<{ id: string }>(
    `WITH accts AS (SELECT a.id, a.user_id FROM accounts a WHERE a.id = ANY($1)),
          t AS (
            INSERT INTO bank_transfers (user_id, account_id, amount, currency, destination, status, attempts,
                                        created_at, updated_at, published_at)
            SELECT accts.user_id, accts.id, $3, 'USD', 'IBAN-R', 'PROCESSING', 1,
                   now() - interval '1 hour', now() - interval '1 hour', now() - interval '1 hour'
              FROM accts, generate_series(1, $2)
            RETURNING id, account_id, amount),
          l AS (
            INSERT INTO ledger_entries (account_id, amount, kind, transfer_id, operation_id)
            SELECT account_id, -amount, 'payout', id, id FROM t),
          b AS (
            UPDATE accounts SET balance = balance - $3 * $2 WHERE id = ANY($1))
     SELECT id FROM t ORDER BY id`,
    [accountIds, perAccount, AMOUNT],
  );
  return rows.map((r) => r.id);
}

async function inParallel<T>(items: T[], width: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}
