import type { Redis } from 'ioredis';
import { opsInFlight } from '../chaos/evidence.ts';
import type { Fault } from '../chaos/nemesis.ts';
import { acceptedDuring } from '../checkers/accepted-during.ts';
import { complete } from '../checkers/index.ts';
import { noStaleRead } from '../checkers/no-stale-read.ts';
import {
  type CacheAtLimit,
  cacheKeptServing,
  type QueueAtLimit,
  queueRefusedCleanly,
} from '../checkers/oom.ts';
import { scrapeValue } from '../client/metrics-scrape.ts';
import { ReadClient } from '../client/read-client.ts';
import { gatherFinalState, settle } from '../runner/final-state.ts';
import { nativeRedis } from '../runner/native-redis.ts';
import type { Scenario, ScenarioContext } from '../runner/scenario.ts';
import { type FundedAccount, fundedAccounts } from '../runner/setup.ts';
import { faultWindowFigures, steadyPayouts } from '../runner/steady-payouts.ts';
import { sleep, standardChecks, stateFigures } from '../runner/workload.ts';
import { ACCEPTED_DURING_OUTAGE } from './redis-outage.ts';

const CLIENTS = 10;
/** Payouts offered per second (open model) throughout both phases. */
const PAYOUTS_PER_S = 25;
/** Longer than both phases at full scale: the schedule is ended by its signal. */
const PAYOUTS_MAX_S = 300;
const FILLER = 'redis-oom:filler';
/** Headroom above what each Redis uses when its phase starts: a limit it reaches within a second. */
const CACHE_HEADROOM_BYTES = 2 * 1024 * 1024;
const QUEUE_HEADROOM_BYTES = 1024 * 1024;
const CACHE_VALUE = 'c'.repeat(32 * 1024);
const QUEUE_VALUE = 'q'.repeat(64 * 1024);
const PROFILE_UPDATE_EVERY_MS = 2_500;
/** Between a client's rounds of reads: keeps each user under the profile-read limit (50/s per user) with room to spare. */
const READ_PAUSE_MS = 50;

/**
 * Each Redis at its memory limit while payouts, profile reads and profile updates go on. The cache
 * Redis (allkeys-lru) is filled to three times a lowered limit: it must evict and keep serving. Then the
 * queue Redis (noeviction) is held at a lowered limit: it must refuse writes with OOM errors and evict
 * nothing, payouts must still be accepted (the outbox needs only Postgres), and every one must be paid
 * once the limit is lifted. Both limits are restored by the heals.
 */
export const redisOom: Scenario = {
  name: 'redis-oom',
  summary:
    'the cache Redis filled past its memory limit, then the queue Redis held at its limit, under payouts and profile traffic',
  checks: [
    'cache-kept-serving',
    'queue-refused-cleanly',
    'payouts-accepted-during-outage',
    'no-stale-profile',
    'all-terminal',
    'bank-charged-once',
    '…standard',
  ],
  faults: ['oom'],
  // Both Redis servers' memory limits set and filled directly; cache hits and relay refusals counted in
  // the roles' metrics.
  needs: ['users', 'funding', 'state', 'state:profiles', 'bank', 'native:redis'],
  sabotages: [{ sabotage: 'enqueue-direct', caughtBy: ['all-terminal'] }],
  // No recon: every payout accepted while the queue was full must reach the bank through the relay.
  plan: () => ({ workers: 1, recon: false, proxies: false, env: { RELAY_POLL_MS: '200' } }),
  async run(ctx) {
    const holdMs = ctx.scale === 'full' ? 30_000 : 6_000;
    const cache = nativeRedis(ctx.target.native.redis.cache);
    const queue = nativeRedis(ctx.target.native.redis.queue);
    const apiUrls = ctx.target.metrics('api');
    const relayUrls = ctx.target.metrics('relay');
    try {
      const accounts = await fundedAccounts(ctx, CLIENTS, 10_000_000);
      const reads = new ReadClient(ctx.target.description.api.urls[0] as string);
      let running = true;
      const stopPayouts = new AbortController();
      const payouts = steadyPayouts(ctx, {
        accounts,
        ratePerS: PAYOUTS_PER_S,
        durationS: PAYOUTS_MAX_S,
        signal: stopPayouts.signal,
        keyPrefix: `oom-${ctx.seed}`,
      });
      const clients = accounts.map((a, c) => client(ctx, reads, a, c, () => running));
      await sleep(2_000);

      // The cache: filled to three times its lowered limit, then held there while traffic goes on.
      const cacheFault = opsInFlight(atLimit(cache, 'redis-cache', CACHE_HEADROOM_BYTES), ctx.recorder.ops);
      const cacheStart = { evicted: await stat(cache, 'evicted_keys'), hits: await hits(apiUrls) };
      await ctx.nemesis.inject(cacheFault, 'maxmemory lowered, filled past it');
      const written = await fill(cache, CACHE_VALUE, { bytes: 3 * CACHE_HEADROOM_BYTES, stopAtOom: false });
      await sleep(holdMs / 2);
      const cacheAtLimit: CacheAtLimit = {
        writesAccepted: written.accepted,
        writesRefused: written.refused.length,
        evicted: (await stat(cache, 'evicted_keys')) - cacheStart.evicted,
        hits: (await hits(apiUrls)) - cacheStart.hits,
      };
      await ctx.nemesis.heal(cacheFault);
      ctx.say(`cache at its limit: ${JSON.stringify(cacheAtLimit)}`);

      // The queue: held at its lowered limit; nothing may be evicted, writes must be refused.
      const queueFault = opsInFlight(atLimit(queue, 'redis-queue', QUEUE_HEADROOM_BYTES), ctx.recorder.ops);
      const queueStart = { evicted: await stat(queue, 'evicted_keys'), relay: await relayErrors(relayUrls) };
      await ctx.nemesis.inject(queueFault, 'maxmemory lowered, filled to it');
      const from = ctx.recorder.now();
      const filled = await fill(queue, QUEUE_VALUE, { bytes: 4 * QUEUE_HEADROOM_BYTES, stopAtOom: true });
      const probe = await probeWhileFull(queue, holdMs);
      const to = ctx.recorder.now();
      const queueAtLimit: QueueAtLimit = {
        oomRefusals: filled.refused.filter(isOom).length + probe.oom,
        otherFailures: [...filled.refused.filter((e) => !isOom(e)), ...probe.other],
        pingsAnswered: probe.pingsAnswered,
        pingsAsked: probe.pingsAsked,
        evicted: (await stat(queue, 'evicted_keys')) - queueStart.evicted,
        relayRefusals: (await relayErrors(relayUrls)) - queueStart.relay,
      };
      await ctx.nemesis.heal(queueFault);
      ctx.say(`queue at its limit: ${JSON.stringify(queueAtLimit)}`);

      await sleep(2_000);
      running = false;
      stopPayouts.abort();
      const offered = await payouts.done;
      await Promise.all(clients);
      const settleMs = await settle(ctx, { deadlineMs: 30_000 });
      const state = await gatherFinalState(ctx);
      const ops = complete(ctx.recorder.ops);
      const accepted = acceptedDuring(
        ops,
        { from, to },
        {
          ...ACCEPTED_DURING_OUTAGE,
          description:
            'Every payout asked for while the queue Redis was at its memory limit was accepted with 201.',
        },
      );
      return {
        checks: [
          cacheKeptServing(cacheAtLimit),
          queueRefusedCleanly(queueAtLimit),
          accepted,
          noStaleRead(ops),
          ...standardChecks(state, ops),
        ],
        figures: {
          cache_evicted: cacheAtLimit.evicted,
          cache_hits_while_full: cacheAtLimit.hits,
          queue_oom_refusals: queueAtLimit.oomRefusals,
          relay_refusals: queueAtLimit.relayRefusals,
          payouts_while_queue_full: accepted.figures?.accepted ?? 0,
          ...faultWindowFigures(offered, payouts.records, { from, to }),
          settle_ms: settleMs,
          ...stateFigures(state),
        },
      };
    } finally {
      cache.disconnect();
      queue.disconnect();
    }
  },
};

async function client(
  ctx: ScenarioContext,
  reads: ReadClient,
  account: FundedAccount,
  c: number,
  running: () => boolean,
) {
  const process = ctx.recorder.process();
  const userId = account.userId;
  let lastUpdate = 0;
  for (let i = 0; running(); i++) {
    if (Date.now() - lastUpdate >= PROFILE_UPDATE_EVERY_MS) {
      const bio = `client ${c}, step ${i}`;
      await ctx.recorder.run(process, 'profile-update', { userId, bio }, () =>
        reads.updateProfile(account.apiKey, { bio }),
      );
      lastUpdate = Date.now();
    }
    await ctx.recorder.run(process, 'profile-read', { userId }, () => reads.profile(account.apiKey));
    await sleep(READ_PAUSE_MS);
  }
}

/**
 * Lowers a Redis's maxmemory to what it uses now plus `headroom`. The heal deletes the filler and
 * restores the limit it found.
 */
function atLimit(redis: Redis, target: string, headroom: number): Fault {
  let original: string | null = null;
  return {
    kind: 'oom',
    target,
    inject: async () => {
      const [, value] = (await redis.config('GET', 'maxmemory')) as [string, string];
      original = value;
      const used = await info(redis, 'memory', 'used_memory');
      await redis.config('SET', 'maxmemory', String(used + headroom));
    },
    heal: async () => {
      for (;;) {
        const [cursor, keys] = await redis.scan('0', 'MATCH', `${FILLER}:*`, 'COUNT', 1_000);
        if (keys.length) await redis.unlink(...keys);
        if (cursor === '0' && keys.length === 0) break;
      }
      if (original !== null) await redis.config('SET', 'maxmemory', original);
    },
  };
}

/** Writes filler values until `bytes` were written (or, with stopAtOom, until the first refusal). */
async function fill(
  redis: Redis,
  value: string,
  opts: { bytes: number; stopAtOom: boolean },
): Promise<{ accepted: number; refused: string[] }> {
  let accepted = 0;
  const refused: string[] = [];
  for (let n = 0; n * value.length < opts.bytes; n++) {
    try {
      await redis.set(`${FILLER}:${n}`, value);
      accepted++;
    } catch (err) {
      refused.push((err as Error).message);
      if (opts.stopAtOom) break;
    }
  }
  return { accepted, refused };
}

/** While the queue Redis is full: PING it every 250 ms and try one write a second, for `ms`. */
async function probeWhileFull(redis: Redis, ms: number) {
  const out = { pingsAsked: 0, pingsAnswered: 0, oom: 0, other: [] as string[] };
  const until = Date.now() + ms;
  for (let i = 0; Date.now() < until; i++) {
    out.pingsAsked++;
    if ((await redis.ping().catch(() => null)) === 'PONG') out.pingsAnswered++;
    if (i % 4 === 0) {
      try {
        await redis.set(`${FILLER}:probe-${i}`, QUEUE_VALUE);
        out.other.push('a write was accepted above the limit');
      } catch (err) {
        if (isOom((err as Error).message)) out.oom++;
        else out.other.push((err as Error).message);
      }
    }
    await sleep(250);
  }
  return out;
}

const isOom = (message: string) => message.startsWith('OOM');

async function info(redis: Redis, section: string, field: string): Promise<number> {
  const text = await redis.info(section);
  const match = new RegExp(`^${field}:(\\d+)`, 'm').exec(text);
  if (!match) throw new Error(`INFO ${section} has no ${field}`);
  return Number(match[1]);
}

const stat = (redis: Redis, field: string) => info(redis, 'stats', field);
const hits = (urls: string[]) => scrapeValue(urls, 'cache_requests_total', { result: 'hit' });
const relayErrors = (urls: string[]) => scrapeValue(urls, 'outbox_relay_errors_total');
