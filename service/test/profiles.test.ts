// Profiles, dashboard and rate limits through the API (in-process, real Postgres and Redis), including
// malformed requests (400 with a code, nothing changed) and a cache Redis that cannot be reached.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { balanceQueries, balanceReadsCoalesced } from '../metrics.ts';
import { eventually, fundedUser, type TestEnv, testApi, testEnv, testOperator } from './harness.ts';

type User = Awaited<ReturnType<typeof fundedUser>>;
// A long balance window, so "exactly 10 admitted" holds however slowly a loaded machine sends them.
const LIMITS = { RATE_LIMIT_BALANCE: '10/60000', RATE_LIMIT_PROFILE_WRITE: '1000/10000' };

let t: TestEnv;
let api: ReturnType<typeof testApi>;
let direct: Redis;
beforeAll(async () => {
  t = await testEnv(LIMITS);
  api = testApi(t);
  direct = new Redis(inject('stack').redisCache.url);
  await eventually(async () => api.reads.link.trusted());
});
afterAll(async () => {
  const keys = await direct.keys(`${t.config.CACHE_PREFIX}:*`);
  if (keys.length) await direct.del(...keys);
  direct.disconnect();
  await api.close();
  await t.close();
});

const get = (u: User, path: string) => api.call('GET', path, { key: u.apiKey });
const patch = (u: User, body: unknown) => api.call('PATCH', '/v1/profile', { key: u.apiKey, body });
const counter = async (c: typeof balanceQueries) => (await c.get()).values[0]?.value ?? 0;

describe('profiles', () => {
  it('reads the own profile, updates it and reads the new version', async () => {
    const u = await fundedUser(t, { balance: 0, name: 'Ada' });
    const first = await get(u, '/v1/profile');
    expect(first).toMatchObject({
      status: 200,
      body: { userId: u.userId, displayName: 'Ada', version: 1, email: null, locale: 'en', timezone: 'UTC' },
    });
    const updated = await patch(u, {
      displayName: 'Ada L.',
      bio: 'Engines',
      locale: 'en-GB',
      timezone: 'Europe/London',
      dashboardLayout: ['transfers', 'balances'],
    });
    expect(updated).toMatchObject({ status: 200, body: { displayName: 'Ada L.', version: 2 } });
    expect((await get(u, '/v1/profile')).body).toEqual(updated.body);
    expect(updated.headers.get('ratelimit-limit')).toBe('1000');
  });

  it('shows others only the public fields, from the same cache entry', async () => {
    const owner = await fundedUser(t, { balance: 0 });
    const other = await fundedUser(t, { balance: 0 });
    await patch(owner, { email: 'owner@example.com', phone: '+4930123456', bio: 'hi' });
    const seen = await get(other, `/v1/profiles/${owner.userId}`);
    expect(seen.status).toBe(200);
    expect(Object.keys(seen.body).sort()).toEqual([
      'bio',
      'displayName',
      'locale',
      'updatedAt',
      'userId',
      'version',
    ]);
    expect((await get(owner, `/v1/profiles/${owner.userId}`)).body).toMatchObject({
      email: 'owner@example.com',
    });
  });

  it('clears an optional field with null', async () => {
    const u = await fundedUser(t, { balance: 0 });
    await patch(u, { bio: 'something' });
    expect((await patch(u, { bio: null })).body).toMatchObject({ bio: null, version: 3 });
  });
});

describe('personal data at rest', () => {
  it('stores and caches email and phone only sealed, and answers them to their owner', async () => {
    const u = await fundedUser(t, { balance: 0 });
    const updated = await patch(u, { email: 'ann@example.com', phone: '+4930123456' });
    expect(updated.body).toMatchObject({ email: 'ann@example.com', phone: '+4930123456' });
    const dash = await get(u, '/v1/dashboard');
    expect(dash.body.contact).toEqual({ email: 'a•••@example.com', phone: '•••• 3456' });
    expect((await get(u, '/v1/profile')).body).toMatchObject({ email: 'ann@example.com' });
    const { rows } = await t.pool.query('SELECT email_enc, phone_enc FROM profiles WHERE user_id = $1', [
      u.userId,
    ]);
    expect(rows[0].email_enc).toMatch(/^pii1\.k1\.[\w-]+\.[\w-]+$/);
    expect(rows[0].phone_enc).toMatch(/^pii1\.k1\./);
    const cached = await direct.mget(
      `${t.config.CACHE_PREFIX}:cache:profile:${u.userId}`,
      `${t.config.CACHE_PREFIX}:cache:dashboard:${u.userId}`,
    );
    expect(cached.every((v) => v !== null)).toBe(true);
    for (const entry of cached) expect(entry).not.toMatch(/ann@|example\.com|4930123456|3456/);
  });

  it('refuses a sealed value moved to another user: it is bound to its owner', async () => {
    const a = await fundedUser(t, { balance: 0 });
    const b = await fundedUser(t, { balance: 0 });
    await patch(a, { email: 'a@example.com' });
    await t.pool.query(
      'UPDATE profiles SET email_enc = (SELECT email_enc FROM profiles WHERE user_id = $1) WHERE user_id = $2',
      [a.userId, b.userId],
    );
    await direct.del(`${t.config.CACHE_PREFIX}:cache:profile:${b.userId}`);
    expect((await get(b, '/v1/profile')).status).toBe(500);
  });
});

describe('ids in any letter case', () => {
  it('fill one cache entry, keyed by the id Postgres answered, which an update purges', async () => {
    const owner = await fundedUser(t, { balance: 0 });
    const other = await fundedUser(t, { balance: 0 });
    const upper = owner.userId.toUpperCase();
    expect((await get(other, `/v1/profiles/${upper}`)).body).toMatchObject({
      userId: owner.userId,
      version: 1,
    });
    expect(await direct.keys(`${t.config.CACHE_PREFIX}:cache:profile:${upper}*`)).toEqual([]);
    await patch(owner, { bio: 'changed' });
    expect((await get(other, `/v1/profiles/${upper}`)).body).toMatchObject({ bio: 'changed', version: 2 });
  });
});

describe('dashboard', () => {
  it('caches layout and history for 5 minutes but reads balances live', async () => {
    const u = await fundedUser(t, { balance: 1_000 });
    const first = await get(u, '/v1/dashboard');
    expect(first).toMatchObject({
      status: 200,
      body: {
        layout: ['balances', 'recent-payouts'],
        accounts: [{ id: u.accountId, balance: 1_000, payouts: 0 }],
      },
    });
    const ttl = await direct.pttl(`${t.config.CACHE_PREFIX}:cache:dashboard:${u.userId}`);
    expect(ttl).toBeGreaterThan(290_000);
    expect(ttl).toBeLessThanOrEqual(330_000);
    const deposited = await api.call('POST', `/v1/accounts/${u.accountId}/deposits`, {
      key: (await testOperator(t)).apiKey,
      idem: randomUUID(),
      body: { amount: 500, currency: 'USD' },
    });
    expect(deposited.status).toBe(201);
    const second = await get(u, '/v1/dashboard');
    expect(second.body.accounts[0].balance).toBe(1_500);
    expect(second.body.metadataCachedAt).toBe(first.body.metadataCachedAt);
  });

  it('is purged by a layout or contact change, not by a bio change', async () => {
    const u = await fundedUser(t, { balance: 0 });
    const key = `${t.config.CACHE_PREFIX}:cache:dashboard:${u.userId}`;
    await get(u, '/v1/dashboard');
    await patch(u, { bio: 'unrelated' });
    expect(await direct.exists(key)).toBe(1);
    await patch(u, { phone: '+14155550123' });
    expect(await direct.exists(key)).toBe(0);
    expect((await get(u, '/v1/dashboard')).body.contact).toEqual({ email: null, phone: '•••• 0123' });
    await patch(u, { dashboardLayout: ['limits'] });
    expect((await get(u, '/v1/dashboard')).body.layout).toEqual(['limits']);
  });
});

describe('balance reads', () => {
  it('admits 10 of 15 concurrent reads per window, and answers the rest 429 with Retry-After', async () => {
    const u = await fundedUser(t, { balance: 100 });
    const results = await Promise.all(
      Array.from({ length: 15 }, () => get(u, `/v1/accounts/${u.accountId}`)),
    );
    const ok = results.filter((r) => r.status === 200);
    const limited = results.filter((r) => r.status === 429);
    expect(ok).toHaveLength(10);
    expect(limited).toHaveLength(5);
    for (const r of limited) {
      expect(r.body).toMatchObject({ code: 'rate_limited', details: { routeClass: 'balance', limit: 10 } });
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(r.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect(r.headers.get('ratelimit-remaining')).toBe('0');
    }
    expect(ok.map((r) => Number(r.headers.get('ratelimit-remaining'))).sort((a, b) => a - b)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    // The dashboard reads balances too: it counts in the same window.
    expect((await get(u, '/v1/dashboard')).status).toBe(429);
    // Other users have their own window.
    const v = await fundedUser(t, { balance: 100 });
    expect((await get(v, `/v1/accounts/${v.accountId}`)).status).toBe(200);
  });

  it('coalesces concurrent reads of one account into few queries, each as fresh as its own', async () => {
    const u = await fundedUser(t, { balance: 700 });
    const [queries, shared] = [await counter(balanceQueries), await counter(balanceReadsCoalesced)];
    const reads = await Promise.all(
      Array.from({ length: 100 }, () => api.reads.balances.account(u.accountId)),
    );
    expect(reads.every((a) => a?.balance === 700)).toBe(true);
    const ran = (await counter(balanceQueries)) - queries;
    expect(ran).toBeLessThanOrEqual(2);
    expect((await counter(balanceReadsCoalesced)) - shared).toBe(100 - ran);
  });
});

// Malformed requests: each gets 400 with its code and changes nothing, in Postgres or in the cache.
describe('malformed profile requests', () => {
  let u: User;
  beforeAll(async () => {
    u = await fundedUser(t, { balance: 0 });
    await get(u, '/v1/profile');
  });

  async function snapshot() {
    const { rows } = await t.pool.query(
      `SELECT (SELECT jsonb_agg(p ORDER BY user_id) FROM profiles p) AS profiles,
              (SELECT count(*) FROM cache_invalidations)::int AS invalidations`,
    );
    return { ...rows[0], cached: await direct.get(`${t.config.CACHE_PREFIX}:cache:profile:${u.userId}`) };
  }

  const patchCases: Array<[string, unknown]> = [
    ['an empty object', {}],
    ['an unknown field', { nickname: 'x' }],
    ['the version', { version: 7 }],
    ['the user id', { userId: randomUUID() }],
    ['displayName empty', { displayName: '' }],
    ['displayName only spaces', { displayName: '   ' }],
    ['displayName of 101 characters', { displayName: 'x'.repeat(101) }],
    ['displayName a number', { displayName: 42 }],
    ['displayName null', { displayName: null }],
    ['bio of 501 characters', { bio: 'x'.repeat(501) }],
    ['bio with a NUL character', { bio: 'a\u0000b' }],
    ['locale a word', { locale: 'english' }],
    ['timezone unknown', { timezone: 'Mars/Olympus_Mons' }],
    ['email without @', { email: 'nobody.example.com' }],
    ['phone without +', { phone: '030123456' }],
    ['phone with letters', { phone: '+49 30 CALL ME' }],
    ['dashboardLayout an unknown widget', { dashboardLayout: ['balances', 'casino'] }],
    ['dashboardLayout a widget twice', { dashboardLayout: ['balances', 'balances'] }],
    ['dashboardLayout not an array', { dashboardLayout: 'balances' }],
    ['a JSON array', [{ bio: 'x' }]],
    ['JSON null', null],
  ];

  it.each(patchCases)('PATCH /v1/profile with %s: 400 invalid_request', async (_name, body) => {
    const before = await snapshot();
    const res = await patch(u, body);
    expect(res).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
    expect(await snapshot()).toEqual(before);
  });

  // A lone surrogate used to reach Postgres, which refused the jsonb: a 500. JSON.stringify escapes
  // it (\ud800), as a client would send it.
  const unicodeCases: Array<[string, unknown]> = [
    ['bio with a lone high surrogate', { bio: 'caf\ud800e' }],
    ['displayName with a lone low surrogate', { displayName: '\udc00Ada' }],
    ['email with a lone surrogate', { email: 'a\ud83d@example.com' }],
    ['a lone surrogate in a dashboard widget', { dashboardLayout: ['\ud800'] }],
  ];
  it.each(unicodeCases)('PATCH /v1/profile with %s: 400 invalid_unicode', async (_name, body) => {
    const before = await snapshot();
    const res = await patch(u, body);
    expect(res).toMatchObject({ status: 400, body: { code: 'invalid_unicode' } });
    expect(await snapshot()).toEqual(before);
  });

  it('PATCH /v1/profile with a well-formed astral character (an emoji) is fine', async () => {
    const res = await patch(u, { bio: 'payouts \ud83d\udcb8' });
    expect(res).toMatchObject({ status: 200, body: { bio: 'payouts 💸' } });
  });

  it('PATCH /v1/profile with a body that is not JSON: 400 invalid_request', async () => {
    const before = await snapshot();
    const res = await api.call('PATCH', '/v1/profile', { key: u.apiKey, rawBody: '{"bio": ' });
    expect(res).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
    expect(await snapshot()).toEqual(before);
  });

  const readCases: Array<
    [string, () => Promise<{ status: number; body: { code: string } }>, number, string]
  > = [
    ['a profile id that is not a uuid', () => get(u, '/v1/profiles/not-a-uuid'), 400, 'invalid_request'],
    ['an unknown profile', () => get(u, `/v1/profiles/${randomUUID()}`), 404, 'profile_not_found'],
    ['no API key', () => api.call('GET', '/v1/profile'), 401, 'unauthorized'],
    [
      'no API key (PATCH)',
      () => api.call('PATCH', '/v1/profile', { body: { bio: 'x' } }),
      401,
      'unauthorized',
    ],
    ['no API key (dashboard)', () => api.call('GET', '/v1/dashboard'), 401, 'unauthorized'],
    ['a profile DELETE', () => api.call('DELETE', '/v1/profile', { key: u.apiKey }), 404, 'route_not_found'],
  ];

  it.each(readCases)('%s: %i %s', async (_name, send, status, code) => {
    const before = await snapshot();
    expect(await send()).toMatchObject({ status, body: { code } });
    expect(await snapshot()).toEqual(before);
  });
});

describe('with the cache Redis unreachable', () => {
  let down: TestEnv;
  let downApi: ReturnType<typeof testApi>;
  beforeAll(async () => {
    down = await testEnv({
      ...LIMITS,
      REDIS_CACHE_URL: 'redis://127.0.0.1:1',
      CACHE_TRUST_LEASE_MS: '300',
      CACHE_SYNC_INTERVAL_MS: '50',
    });
    downApi = testApi(down);
  });
  afterAll(async () => {
    await downApi.close();
    await down.close();
  });

  it('answers profile and dashboard reads from Postgres and accepts updates', async () => {
    const u = await fundedUser(down, { balance: 250 });
    const call = (method: string, path: string, body?: unknown) =>
      downApi.call(method, path, { key: u.apiKey, body });
    expect((await call('GET', '/v1/profile')).status).toBe(200);
    expect(await call('PATCH', '/v1/profile', { bio: 'offline edit' })).toMatchObject({
      status: 200,
      body: { bio: 'offline edit', version: 2 },
    });
    expect((await call('GET', '/v1/profile')).body.bio).toBe('offline edit');
    expect((await call('GET', '/v1/dashboard')).body.accounts[0].balance).toBe(250);
  });

  it('still limits balance reads, with the in-process fallback window', async () => {
    const u = await fundedUser(down, { balance: 1 });
    const results = await Promise.all(
      Array.from({ length: 15 }, () => downApi.call('GET', `/v1/accounts/${u.accountId}`, { key: u.apiKey })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(10);
    expect(results.filter((r) => r.status === 429)).toHaveLength(5);
  });
});
