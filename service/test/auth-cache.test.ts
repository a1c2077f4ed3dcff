// API keys cached in process (AUTH_CACHE_TTL_MS): a request needs no query to authenticate, and a
// revoked key stops working once the TTL has passed.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyHash } from '../accounts/accounts-repo.ts';
import { fundedUser, type TestEnv, testApi, testEnv } from './harness.ts';

const revoke = (t: TestEnv, userId: string) =>
  t.pool.query('UPDATE users SET api_key_hash = $1 WHERE id = $2', [randomBytes(32), userId]);

describe.each([
  { ttlMs: 300, name: 'a short TTL' },
  { ttlMs: 0, name: 'no cache' },
])('a revoked key with $name', ({ ttlMs }) => {
  let t: TestEnv;
  let api: ReturnType<typeof testApi>;
  beforeAll(async () => {
    t = await testEnv({ AUTH_CACHE_TTL_MS: String(ttlMs) });
    api = testApi(t);
  });
  afterAll(async () => {
    api.close();
    await t.close();
  });

  it('stops working once the TTL has passed', async () => {
    const u = await fundedUser(t, { balance: 0 });
    expect((await api.call('GET', `/v1/accounts/${u.accountId}`, { key: u.apiKey })).status).toBe(200);
    await revoke(t, u.userId);
    await new Promise((r) => setTimeout(r, ttlMs + 50));
    const res = await api.call('GET', `/v1/accounts/${u.accountId}`, { key: u.apiKey });
    expect(res).toMatchObject({ status: 401, body: { code: 'unauthorized' } });
  });
});

describe('a key looked up within the TTL', () => {
  let t: TestEnv;
  let api: ReturnType<typeof testApi>;
  beforeAll(async () => {
    t = await testEnv({ AUTH_CACHE_TTL_MS: '60000' });
    api = testApi(t);
  });
  afterAll(async () => {
    api.close();
    await t.close();
  });

  it('is not looked up again: it still works right after its revocation', async () => {
    const u = await fundedUser(t, { balance: 0 });
    expect((await api.call('GET', `/v1/accounts/${u.accountId}`, { key: u.apiKey })).status).toBe(200);
    await revoke(t, u.userId);
    expect((await api.call('GET', `/v1/accounts/${u.accountId}`, { key: u.apiKey })).status).toBe(200);
  });

  it('is held by its hash, as the database stores it, never as the bearer key itself', async () => {
    const u = await fundedUser(t, { balance: 0 });
    expect((await api.call('GET', `/v1/accounts/${u.accountId}`, { key: u.apiKey })).status).toBe(200);
    expect(api.authCache.get(apiKeyHash(u.apiKey))).toEqual({ id: u.userId, role: 'user' });
  });

  it('is never cached for an unknown key', async () => {
    const res = await api.call('GET', '/v1/accounts/00000000-0000-0000-0000-000000000000', { key: 'nope' });
    expect(res.status).toBe(401);
  });
});
