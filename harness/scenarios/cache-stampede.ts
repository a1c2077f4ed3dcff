import type { Redis } from 'ioredis';
import type { Proxy as ToxiproxyProxy } from 'toxiproxy-node-client';
import { opsInFlight } from '../chaos/evidence.ts';
import type { Fault } from '../chaos/nemesis.ts';
import { complete, unknownsResolved } from '../checkers/index.ts';
import { type ExpiryRound, loadsPerExpiry } from '../checkers/loads-per-expiry.ts';
import { noStaleRead } from '../checkers/no-stale-read.ts';
import { readsAnswered } from '../checkers/reads-answered.ts';
import { scrapeValue } from '../client/metrics-scrape.ts';
import { ReadClient } from '../client/read-client.ts';
import { gatherLookups } from '../runner/final-state.ts';
import { nativeRedis } from '../runner/native-redis.ts';
import type { Scenario, ScenarioContext } from '../runner/scenario.ts';
import { testUser } from '../runner/setup.ts';
import { sleep } from '../runner/workload.ts';

/** Readers of the hot profile: 1,000 reads a round stay at 20 each, under the per-user read limit. */
const READERS = 50;
/** API processes sharing the hot entry: the Redis lock, not only the in-process single-flight, is tested. */
const API_PROCESSES = 3;
/**
 * Short, so the scenario sees several expiries in seconds, yet longer than a whole burst takes on a
 * busy 2-core machine (so one burst spans one expiry); no jitter, so the expiry is where PTTL says.
 */
const TTL_MS = 6_000;
/**
 * Postgres answers this much slower during the bursts, as it does when a stampede matters (a busy or
 * expensive database): hundreds of reads then miss while the one load is in flight, in every process.
 * With a 1 ms load nearly every read would hit the refilled entry and prove little.
 */
const DB_LATENCY_MS = 30;

/**
 * A burst of concurrent reads of one hot profile, spread over several API processes and fired at the
 * moment its cache entry expires while Postgres is slow, once per round: each expiry must cost Postgres
 * exactly one load, the other processes waiting on the Redis lock and reading the value it fills.
 */
export const cacheStampede: Scenario = {
  name: 'cache-stampede',
  summary: '1,000 concurrent reads of one hot profile across three API processes as its cache entry expires',
  checks: ['one-load-per-expiry', 'reads-answered', 'no-stale-profile', 'unknowns-resolved'],
  faults: ['latency'],
  // Three API processes, the cache entry's TTL read in Redis, the TTL the stack was started with, and
  // the Postgres loads counted in the API processes' metrics.
  needs: ['users', 'state', 'link:postgres', 'native:spawn-api', 'native:redis', 'native:settings'],
  sabotages: [{ sabotage: 'no-single-flight', caughtBy: ['one-load-per-expiry'] }],
  plan: () => ({
    workers: 1,
    recon: false,
    proxies: true,
    env: { PROFILE_CACHE_TTL_MS: String(TTL_MS), CACHE_TTL_JITTER: '0' },
  }),
  async run(ctx) {
    const rounds = ctx.scale === 'full' ? 10 : 3;
    const burst = ctx.scale === 'full' ? 3_000 : 1_000;
    const apis = await ctx.target.apis(API_PROCESSES);
    const postgres = await ctx.target.link('postgres');
    const clients = apis.map((s) => new ReadClient(s.url));
    const owner = await testUser(ctx, 'hot-profile');
    const readers = await Promise.all(
      Array.from({ length: READERS }, (_, i) => testUser(ctx, `reader-${i}`)),
    );
    const cache = nativeRedis(ctx.target.native.redis.cache);
    const key = ctx.target.native.settings.profileCacheKey(owner.userId);
    const metrics = apis.flatMap((a) => (a.metrics ? [a.metrics] : []));
    try {
      const set = await ctx.recorder.run(
        ctx.recorder.process(),
        'profile-update',
        { userId: owner.userId, bio: 'everyone reads me' },
        () => (clients[0] as ReadClient).updateProfile(owner.apiKey, { bio: 'everyone reads me' }),
      );
      if (set.type !== 'ok') throw new Error(`could not set up the hot profile: ${set.error}`);

      const results: ExpiryRound[] = [];
      const windows: Array<{ from: number; to: number }> = [];
      for (let round = 1; round <= rounds; round++) {
        await warm(ctx, cache, key, clients[0] as ReadClient, readers[0] as { apiKey: string }, owner.userId);
        await untilExpiry(cache, key);
        const before = await loads(metrics);
        const slow = opsInFlight(latency(postgres, DB_LATENCY_MS), ctx.recorder.ops);
        await ctx.nemesis.inject(slow);
        const from = ctx.recorder.now();
        await Promise.all(
          Array.from({ length: burst }, (_, i) => {
            const reader = readers[i % READERS] as { apiKey: string };
            const client = clients[i % clients.length] as ReadClient;
            return ctx.recorder.run(ctx.recorder.process(), 'profile-read', { userId: owner.userId }, () =>
              client.publicProfile(reader.apiKey, owner.userId),
            );
          }),
        );
        windows.push({ from, to: ctx.recorder.now() });
        await ctx.nemesis.heal(slow);
        const after = await loads(metrics);
        results.push({ round, reads: burst, loads: after - before });
        ctx.say(`round ${round}: ${burst} reads around the expiry, ${after - before} Postgres load(s)`);
      }
      const ops = complete(ctx.recorder.ops);
      const urls = metrics;
      const burstMs = windows.map((w) => w.to - w.from);
      return {
        checks: [
          loadsPerExpiry(results),
          readsAnswered(ops, {
            name: 'reads-answered',
            description: 'Every read of the hot profile was answered 200.',
            reads: ['profile-read'],
          }),
          noStaleRead(ops),
          unknownsResolved(await gatherLookups(ctx), ops),
        ],
        figures: {
          api_processes: apis.length,
          reads_per_expiry: burst,
          loads_per_expiry_max: Math.max(...results.map((r) => r.loads)),
          lock_waits: await scrapeValue(urls, 'cache_lock_waits_total', { cache: 'profile' }),
          hits: await scrapeValue(urls, 'cache_requests_total', { cache: 'profile', result: 'hit' }),
          misses: await scrapeValue(urls, 'cache_requests_total', { cache: 'profile', result: 'miss' }),
          bypasses: await scrapeValue(urls, 'cache_requests_total', { cache: 'profile', result: 'bypass' }),
          burst_ms_max: Math.round(Math.max(...burstMs)),
        },
      };
    } finally {
      cache.disconnect();
    }
  },
};

/** Reads until the entry is cached (a hit at once if the last burst already refilled it). */
async function warm(
  ctx: ScenarioContext,
  cache: Redis,
  key: string,
  client: ReadClient,
  reader: { apiKey: string },
  userId: string,
) {
  for (let i = 0; i < 20 && !(await cache.exists(key)); i++) {
    await ctx.recorder.run(ctx.recorder.process(), 'profile-read', { userId }, () =>
      client.publicProfile(reader.apiKey, userId),
    );
    await sleep(50);
  }
}

/** Sleeps until the entry is about to expire (PTTL of a few ms), so the burst straddles the expiry. */
async function untilExpiry(cache: Redis, key: string): Promise<void> {
  const deadline = Date.now() + 10 * TTL_MS;
  for (let first = true; Date.now() < deadline; first = false) {
    const pttl = await cache.pttl(key);
    if (pttl === -2 && first) throw new Error(`${key} is not cached: the warm-up read did not fill it`);
    if (pttl <= 5) return; // about to expire, or just expired while we slept a little late
    await sleep(Math.max(1, pttl - 5));
  }
  throw new Error(`${key} never came close to expiring`);
}

/** Postgres loads for profiles over every API process. */
function loads(urls: string[]): Promise<number> {
  return scrapeValue(urls, 'cache_loads_total', { cache: 'profile' });
}

/** Adds `ms` of latency to everything Postgres sends back through its proxy; the heal removes it. */
function latency(proxy: ToxiproxyProxy, ms: number): Fault {
  const name = `stampede-latency-${ms}`;
  return {
    kind: 'latency',
    target: proxy.name,
    inject: async () => {
      await proxy.addToxic({
        name,
        type: 'latency',
        stream: 'downstream',
        toxicity: 1,
        attributes: { latency: ms, jitter: 0 },
      });
    },
    heal: async () => {
      const toxic = await proxy.getToxic(name).catch(() => null); // absent: healed already
      await toxic?.remove();
    },
  };
}
