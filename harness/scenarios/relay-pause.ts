import { createServer } from 'node:net';
import type { NativeProcess } from '../../contract/native.ts';
import type { Fault } from '../chaos/nemesis.ts';
import { pause, signalled } from '../chaos/process-faults.ts';
import { acceptedDuring } from '../checkers/accepted-during.ts';
import { complete } from '../checkers/index.ts';
import { type BlockedSample, neverBlocked } from '../checkers/never-blocked.ts';
import { nothingDeadLettered } from '../checkers/nothing-dead-lettered.ts';
import type { FaultEvidence } from '../core/fault-window.ts';
import { gatherFinalState, settle } from '../runner/final-state.ts';
import type { Scenario, ScenarioContext } from '../runner/scenario.ts';
import { fundedAccounts } from '../runner/setup.ts';
import { faultWindowFigures, steadyPayouts } from '../runner/steady-payouts.ts';
import { between, sleep, standardChecks, stateFigures } from '../runner/workload.ts';

const CLIENTS = 10;
const PAYOUTS_PER_S = 40;
/**
 * The relay's answers from the queue Redis come back this late (a toxic on a proxy of its own), so it
 * spends most of its time mid-publish — its jobs out, its rows not yet marked — and the pause lands
 * there: the moment a lock held across the call to Redis would block the workers taking those jobs.
 */
const LINK_MS = 150;
/** How often the database is asked who waits on whom while the relay is stopped. */
const SAMPLE_MS = 100;

/**
 * A relay SIGSTOPped mid-publish under steady payouts, then resumed. Nothing may wait on it: payouts are
 * still accepted (they need only PostgreSQL), the workers take the jobs it had already published without
 * waiting on its rows, no job runs out of attempts for it, and every transfer ends terminal once it is back.
 */
export const relayPause: Scenario = {
  name: 'relay-pause',
  summary: 'the outbox relay SIGSTOPped mid-publish under steady payouts, then resumed',
  checks: [
    'payouts-accepted-during-pause',
    'claims-never-blocked',
    'nothing-dead-lettered',
    'all-terminal',
    '…standard',
  ],
  faults: ['pause'],
  // The relay started again with a slow link of its own, the outbox and the queue compared, and who
  // waits on whom inside PostgreSQL.
  needs: [
    'users',
    'funding',
    'state',
    'bank',
    'link:redis-queue',
    'native:processes',
    'native:queue',
    'native:postgres',
  ],
  sabotages: [{ sabotage: 'relay-holds-locks', caughtBy: ['claims-never-blocked'] }],
  plan: () => ({
    workers: 2,
    // No recon: a transfer the pause left stuck must show as one left open, not be quietly re-sent.
    recon: false,
    // The proxies' server, for the relay's own slow link; the other roles' links stay clean.
    proxies: true,
    env: {},
  }),
  async run(ctx) {
    const relay = await relayOnSlowLink(ctx);
    const accounts = await fundedAccounts(ctx, CLIENTS, 10_000_000);
    const seconds = ctx.scale === 'full' ? 40 : 14;
    const payouts = steadyPayouts(ctx, {
      accounts,
      ratePerS: PAYOUTS_PER_S,
      durationS: seconds,
      keyPrefix: `rp-${ctx.seed}`,
    });

    await sleep(between(ctx.rng, 3_000, 4_000));
    const stop = pausedMidPublish(ctx, relay);
    const pauseMs = between(ctx.rng, 6_000, 8_000);
    const samples: BlockedSample[] = [];
    const from = ctx.recorder.now();
    await ctx.nemesis.inject(stop, `SIGSTOP the relay for ${pauseMs} ms`);
    await watchLocks(ctx, samples, pauseMs);
    await ctx.nemesis.heal(stop);
    const to = ctx.recorder.now();
    await watchLocks(ctx, samples, 1_000);

    const offered = await payouts.done;
    const settleMs = await settle(ctx, { deadlineMs: 30_000 });
    const state = await gatherFinalState(ctx);
    const ops = complete(ctx.recorder.ops);
    const accepted = acceptedDuring(
      ops,
      { from, to },
      {
        name: 'payouts-accepted-during-pause',
        description: 'Every payout asked for while the relay was stopped was accepted with 201.',
      },
    );
    const blocked = neverBlocked(samples);
    const letters = await ctx.target.native.queue.deadLetters();
    return {
      checks: [accepted, blocked, nothingDeadLettered(letters), ...standardChecks(state, ops)],
      figures: {
        pause_ms: pauseMs,
        relay_link_ms: LINK_MS,
        lock_samples: samples.length,
        blocked_sessions_max: blocked.figures?.blocked_sessions_max ?? -1,
        dead_lettered: letters.length,
        payouts_during_pause: accepted.figures?.accepted ?? 0,
        ...faultWindowFigures(offered, payouts.records, { from, to }),
        ...stateFigures(state),
        settle_ms: settleMs,
      },
    };
  },
};

/**
 * Replaces the stack's relay with one whose link to the queue Redis answers LINK_MS late: a proxy of its
 * own on the stack's toxiproxy server, so the API's and the workers' links stay as they were.
 */
async function relayOnSlowLink(ctx: ScenarioContext): Promise<NativeProcess> {
  const listen = `127.0.0.1:${await freePort()}`;
  const link = await ctx.target.proxyServer().createProxy({
    name: 'relay-queue',
    listen,
    upstream: new URL(ctx.target.native.redis.queue.url).host,
  });
  await link.addToxic({
    name: 'slow-answers',
    type: 'latency',
    stream: 'downstream',
    toxicity: 1,
    attributes: { latency: LINK_MS, jitter: 0 },
  });
  const relay = await ctx.target.native.replaceRole('relay', { redisQueueVia: listen });
  ctx.say(`${relay.name} publishes through ${listen}: the queue Redis answers it ${LINK_MS} ms late`);
  return relay;
}

/** A free port on the loopback interface, for the relay's own proxy to listen on. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * SIGSTOP the relay; its evidence, read half a second into the pause: the outbox rows still unpublished
 * whose jobs are already in the queue — rows the relay had claimed, published and not yet marked, which
 * workers are now taking. A pause that caught the relay between publishes hits none of them.
 */
function pausedMidPublish(ctx: ScenarioContext, relay: NativeProcess): Fault {
  const fault = pause(signalled(relay));
  const what = 'outbox rows the stopped relay had published but not marked';
  let evidence: FaultEvidence = { hits: 0, what: `${what} (not read)` };
  return {
    ...fault,
    inject: async () => {
      await fault.inject();
      await sleep(500);
      evidence = await ctx.target.native.queue.publishedUnmarked().then(
        (hits) => ({ hits, what }),
        (err: Error) => ({ hits: 0, what: `${what} (unreadable: ${err.message})` }),
      );
    },
    evidence: async () => evidence,
  };
}

/**
 * Samples, every SAMPLE_MS for `ms`, the sessions waiting on a lock held by a transaction left idle mid-way
 * (`idle in transaction`: its client stopped, or off on a network call while holding the lock).
 */
async function watchLocks(ctx: ScenarioContext, samples: BlockedSample[], ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const at = ctx.recorder.now();
    samples.push({ at, ...(await ctx.target.native.blockedSessions()) });
    await sleep(SAMPLE_MS);
  }
}
