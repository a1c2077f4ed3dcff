// The fraud screen against the real cache Redis: the rules in one atomic script, what a refused payout
// takes back, what concurrency does to a non-atomic window, and the in-process fallback.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheLink } from '../cache/cache-link.ts';
import { createCacheRedis } from '../cache/cache-redis.ts';
import { fraudChecks } from '../fraud/metrics.ts';
import type { FraudRules } from '../fraud/rules.ts';
import { FraudScreen } from '../fraud/screen.ts';
import { createLogger } from '../log.ts';
import { checkInRedisNonAtomic } from '../sabotage/velocity-check.ts';
import { eventually, type TestEnv, testEnv } from './harness.ts';

const rules: FraudRules = {
  windowMs: 60_000,
  maxPayouts: 10,
  maxAmount: 1_000_000,
  anomalyFactor: 10,
  anomalyMinSamples: 5,
};

let t: TestEnv;
const links: CacheLink[] = [];
const screens: FraudScreen[] = [];
beforeAll(async () => {
  t = await testEnv();
});
afterAll(async () => {
  for (const s of screens) s.close();
  await Promise.all(links.map((l) => l.stop()));
  await t.close();
});

function link(url = t.config.REDIS_CACHE_URL): CacheLink {
  const l = new CacheLink({
    redis: createCacheRedis({ url, commandTimeoutMs: 1_000 }),
    pool: t.pool,
    prefix: t.config.CACHE_PREFIX,
    syncIntervalMs: 100,
    leaseMs: 1_000,
    log: createLogger({ role: 'test', level: 'silent' }),
  });
  l.start();
  links.push(l);
  return l;
}

async function screen(
  opts: { url?: string; check?: typeof checkInRedisNonAtomic; reachable?: boolean } = {},
) {
  const l = link(opts.url);
  if (opts.reachable !== false) await eventually(async () => l.reachable());
  const s = new FraudScreen({ link: l, rules, ...(opts.check ? { check: opts.check } : {}) });
  screens.push(s);
  return s;
}

const payout = (userId: string, amount: number) => ({ userId, amount, currency: 'USD' });

describe('the fraud screen (cache Redis)', () => {
  it('admits up to the count, then holds, per user', async () => {
    const s = await screen();
    const user = randomUUID();
    for (let i = 0; i < 10; i++) expect((await s.screen(payout(user, 100))).hold).toBeNull();
    expect((await s.screen(payout(user, 100))).hold).toBe('velocity_count');
    expect((await s.screen(payout(randomUUID(), 100))).hold).toBeNull();
  });

  it('holds the payout that would take the window over the amount', async () => {
    const s = await screen();
    const user = randomUUID();
    expect((await s.screen(payout(user, 600_000))).hold).toBeNull();
    expect((await s.screen(payout(user, 400_001))).hold).toBe('velocity_amount');
    expect((await s.screen(payout(user, 400_000))).hold).toBeNull();
  });

  it('holds an amount above ten times the median of the recent ones, once it knows five', async () => {
    const s = await screen();
    const user = randomUUID();
    for (const amount of [900, 1_000, 1_100, 1_000])
      expect((await s.screen(payout(user, amount))).hold).toBeNull();
    expect((await s.screen(payout(user, 50_000))).hold).toBeNull(); // four samples only: no median yet
    expect((await s.screen(payout(user, 20_000))).hold).toBe('amount_anomaly'); // median 1,000
    expect((await s.screen(payout(user, 10_000))).hold).toBeNull();
  });

  it('takes back a payout that did not happen', async () => {
    const s = await screen();
    const user = randomUUID();
    const first = await s.screen(payout(user, 100));
    for (let i = 0; i < 9; i++) await s.screen(payout(user, 100));
    expect((await s.screen(payout(user, 100))).hold).toBe('velocity_count');
    await first.forget();
    expect((await s.screen(payout(user, 100))).hold).toBeNull();
  });

  it('keeps the sum as payouts leave the window, and recounts it when Redis evicted it', async () => {
    const s = await screen();
    const user = randomUUID();
    const base = `${t.config.CACHE_PREFIX}:fraud:{${user}:USD}`;
    const direct = links[0]?.redis;
    if (!direct) throw new Error('no link');
    expect((await s.screen(payout(user, 300_000))).hold).toBeNull();
    expect((await s.screen(payout(user, 300_000))).hold).toBeNull();
    expect(await direct.get(`${base}:sum`)).toBe('600000');
    await direct.del(`${base}:sum`); // as allkeys-lru may, leaving the window
    expect((await s.screen(payout(user, 400_001))).hold).toBe('velocity_amount');
    expect(await direct.get(`${base}:sum`)).toBe('600000');
    // Age the two admissions out of the window (admitted at time 0): the sum goes with them.
    for (const member of await direct.zrange(`${base}:window`, 0, -1))
      await direct.zadd(`${base}:window`, 0, member);
    expect((await s.screen(payout(user, 900_000))).hold).toBeNull();
    expect(await direct.get(`${base}:sum`)).toBe('900000');
  });

  it('admits exactly the limit out of a concurrent burst: the window is one atomic script', async () => {
    const s = await screen();
    const user = randomUUID();
    const verdicts = await Promise.all(Array.from({ length: 30 }, () => s.screen(payout(user, 100))));
    expect(verdicts.filter((v) => v.hold === null)).toHaveLength(10);
  });

  it('lets a concurrent burst through when it counts and records in two round trips (the sabotage)', async () => {
    const s = await screen({ check: checkInRedisNonAtomic });
    const user = randomUUID();
    const verdicts = await Promise.all(Array.from({ length: 30 }, () => s.screen(payout(user, 100))));
    expect(verdicts.filter((v) => v.hold === null).length).toBeGreaterThan(10);
  });

  it('decides in-process while the cache Redis is unreachable, with the same rules', async () => {
    const s = await screen({ url: 'redis://127.0.0.1:1', reachable: false });
    const local = async () =>
      (await fraudChecks.get()).values.find((v) => v.labels.source === 'local')?.value ?? 0;
    const before = await local();
    const user = randomUUID();
    for (let i = 0; i < 10; i++) expect((await s.screen(payout(user, 100))).hold).toBeNull();
    expect((await s.screen(payout(user, 100))).hold).toBe('velocity_count');
    expect((await local()) - before).toBe(11);
  });
});
