import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fundedUser, startRole, type TestEnv, testEnv } from '../../service/test/harness.ts';
import type { ServiceHandle } from '../../stack/index.ts';
import { freePort } from '../../stack/ports.ts';
import { ApiClient } from '../client/api-client.ts';

// The client's classification against the real API: ok happened, fail certainly did not, info unknown.
describe('ApiClient', () => {
  let t: TestEnv;
  let api: ServiceHandle;
  let client: ApiClient;

  beforeAll(async () => {
    t = await testEnv();
    api = await startRole(t, 'api');
    client = new ApiClient(api.url);
  });
  afterAll(async () => {
    await api?.stop();
    await t?.close();
  });

  it('calls an accepted payout ok, and a refusal for lack of funds fail (stored, replayed as such)', async () => {
    const user = await fundedUser(t, { balance: 100 });
    const body = { accountId: user.accountId, amount: 100, currency: 'USD', destination: 'IBAN-1' };
    expect(await client.payout(user.apiKey, 'k-1', body)).toMatchObject({
      type: 'ok',
      value: { status: 201 },
    });
    const refused = await client.payout(user.apiKey, 'k-2', body);
    expect(refused).toMatchObject({
      type: 'fail',
      error: 'insufficient_funds',
      value: { status: 422, body: { code: 'insufficient_funds' } },
    });
    // The refusal is stored against its key: a replay gets it again, still a refusal.
    expect(await client.payout(user.apiKey, 'k-2', body)).toEqual(refused);
  });

  it('calls bad input and a reused key with another body fail', async () => {
    const user = await fundedUser(t, { balance: 1_000 });
    const body = { accountId: user.accountId, amount: 5, currency: 'USD', destination: 'IBAN-1' };
    expect(await client.payout(user.apiKey, 'k-3', { ...body, amount: -1 })).toMatchObject({
      type: 'fail',
      error: 'invalid_request',
    });
    await client.payout(user.apiKey, 'k-4', body);
    expect(await client.payout(user.apiKey, 'k-4', { ...body, amount: 6 })).toMatchObject({
      type: 'fail',
      error: 'idempotency_key_reused',
    });
  });

  it('calls a call that got no answer info: it may have happened', async () => {
    const nowhere = new ApiClient(`http://127.0.0.1:${await freePort()}`, 2_000);
    expect(await nowhere.payout('key', 'k-5', {})).toMatchObject({ type: 'info', value: null });
  });
});
