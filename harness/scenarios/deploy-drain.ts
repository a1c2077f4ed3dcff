import type { NativeProcess } from '../../contract/native.ts';
import { hitsAfter, opsInFlight } from '../chaos/evidence.ts';
import type { Fault } from '../chaos/nemesis.ts';
import { terminate } from '../chaos/process-faults.ts';
import {
  clientErrorsResolved,
  type DrainedJob,
  drainedInTime,
  inFlightFinished,
  type StopRecord,
} from '../checkers/drain.ts';
import { complete } from '../checkers/index.ts';
import { ApiClient } from '../client/api-client.ts';
import { gatherFinalState, settle } from '../runner/final-state.ts';
import type { Scenario, ScenarioContext } from '../runner/scenario.ts';
import { type FundedAccount, fundedAccounts } from '../runner/setup.ts';
import { isDefinite, sleep, standardChecks, stateFigures } from '../runner/workload.ts';

const CLIENTS = 10;
const API_PROCESSES = 2;
/** How long a stopping process may drain before it is SIGKILLed (and drained-in-time fails). */
const DRAIN_LIMIT_MS = 30_000;

/**
 * A deploy: every worker and every API process in turn gets SIGTERM, is replaced by a new one on the
 * same port, and the next one goes, all under steady payouts through both API processes. Workers must
 * finish the jobs they hold before they exit (none lost, none charged twice, none left to the stalled
 * check), and clients must see no error a retry with the same key does not resolve.
 */
export const deployDrain: Scenario = {
  name: 'deploy-drain',
  summary:
    'a rolling restart (SIGTERM, replacement, next) of every worker and API process under steady payouts',
  checks: [
    'in-flight-finished',
    'drained-in-time',
    'client-errors-resolved',
    'all-terminal',
    'bank-charged-once',
    '…standard',
  ],
  faults: ['terminate'],
  // Two API processes, each process's exit status and drain time, and the jobs each worker held.
  needs: ['users', 'funding', 'state', 'bank', 'native:spawn-api', 'native:processes', 'native:queue'],
  sabotages: [{ sabotage: 'no-drain', caughtBy: ['in-flight-finished'] }],
  plan: () => ({
    workers: 2,
    // No recon: a job lost in the deploy must show as a transfer left open, not be quietly re-sent.
    recon: false,
    proxies: false,
    // A job abandoned by a worker that did not drain is taken up within seconds, so the run ends.
    env: { STALLED_INTERVAL_MS: '2000', JOB_LOCK_MS: '4000' },
  }),
  async run(ctx) {
    const apiProcesses = await ctx.target.apis(API_PROCESSES);
    const accounts = await fundedAccounts(ctx, CLIENTS, 10_000_000);
    const apis = apiProcesses.map((a) => new ApiClient(a.url));
    // A bank slow enough that every worker holds jobs when its SIGTERM comes.
    await ctx.bank.setFaults({ seed: ctx.seed, latencyMs: 300 });
    let running = true;
    const clients = load(ctx, accounts, apis, () => running);
    await sleep(2_000);

    const stops: StopRecord[] = [];
    const held: DrainedJob[] = [];
    const native = ctx.target.native;
    const order = [
      ...ctx.target.components('worker').map((w) => native.process(w.name)),
      ...apiProcesses.map((a) => native.process(a.name)),
    ];
    for (const proc of order) {
      const fault = await stopping(ctx, proc, held);
      const started = Date.now();
      await ctx.nemesis.inject(fault, 'SIGTERM, then its replacement');
      const { code, signal } = await proc.exited;
      stops.push({ process: proc.name, drainMs: Date.now() - started, code, signal });
      await ctx.nemesis.heal(fault);
      await sleep(500);
    }
    await sleep(1_000);
    running = false;
    await clients;
    await ctx.bank.setFaults({});
    const settleMs = await settle(ctx, { deadlineMs: 60_000 });

    const jobs = await Promise.all(
      held.map(async (h) => {
        const job = await native.queue.job(h.id);
        return { ...h, job: job ?? null };
      }),
    );
    const finished = inFlightFinished(jobs);
    const state = await gatherFinalState(ctx);
    const { transfers = 0, settled = 0, failed = 0 } = stateFigures(state);
    const ops = complete(ctx.recorder.ops);
    const resolved = clientErrorsResolved(ops);
    return {
      checks: [finished, drainedInTime(stops, DRAIN_LIMIT_MS), resolved, ...standardChecks(state, ops)],
      figures: {
        drain_ms_max: Math.max(...stops.map((s) => s.drainMs)),
        jobs_taken_over: finished.figures?.takenOver ?? 0,
        client_errors_unresolved: resolved.errorCount,
        jobs_in_flight_at_stop: held.length,
        client_errors: ops.filter((o) => o.type !== 'ok').length,
        ...Object.fromEntries(stops.map((s) => [`drain_${s.process.replace(/-/g, '_')}_ms`, s.drainMs])),
        transfers,
        settled,
        failed,
        settle_ms: settleMs,
      },
    };
  },
};

/**
 * SIGTERM for one process (its replacement is the heal). A worker's evidence is the jobs it held at
 * that moment (remembered in `held` for in-flight-finished); an API's, the calls in flight meanwhile.
 */
async function stopping(ctx: ScenarioContext, proc: NativeProcess, held: DrainedJob[]): Promise<Fault> {
  const stop = terminate(proc, { killAfterMs: DRAIN_LIMIT_MS });
  if (proc.role !== 'worker') return opsInFlight(stop, ctx.recorder.ops);
  const queue = ctx.target.native.queue;
  const heldBy = queue.workerName(proc.name);
  const ids = await queue.activeJobsOf(proc.name);
  for (const id of ids) held.push({ id, heldBy, job: null });
  return hitsAfter(stop, 'jobs the worker held at SIGTERM', () => ids.length);
}

/**
 * The steady load: each client pays out through one API process; an answer that is not definite is
 * retried with the same key through the other one, as a client behind a load balancer would be.
 */
async function load(
  ctx: ScenarioContext,
  accounts: FundedAccount[],
  apis: ApiClient[],
  running: () => boolean,
): Promise<void> {
  await Promise.all(
    accounts.map(async (account, c) => {
      const process = ctx.recorder.process();
      for (let i = 0; running(); i++) {
        const idempotencyKey = `dd-${ctx.seed}-${c}-${i}`;
        const body = { accountId: account.accountId, amount: 100, currency: 'USD', destination: `IBAN-${c}` };
        const request = { idempotencyKey, ...body };
        for (let attempt = 0; attempt < 100; attempt++) {
          const api = apis[(c + attempt) % apis.length] as ApiClient;
          const outcome = await ctx.recorder.run(process, attempt === 0 ? 'payout' : 'replay', request, () =>
            api.payout(account.apiKey, idempotencyKey, body),
          );
          if (isDefinite(outcome)) break;
          await sleep(100);
        }
        await sleep(40);
      }
    }),
  );
}
