import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../lib/repo-root.ts';
import { fundedUser, startRole, type TestEnv, testEnv, testOperator } from '../../service/test/harness.ts';
import type { ServiceHandle } from '../../stack/index.ts';
import { type Answer, misfits } from '../openapi-fit.ts';

// The reference service's real answers against the payment API's contract (contract/api.openapi.json).
const document = JSON.parse(readFileSync(join(repoRoot, 'contract/api.openapi.json'), 'utf8'));
let t: TestEnv;
let api: ServiceHandle;
beforeAll(async () => {
  t = await testEnv();
  api = await startRole(t, 'api');
});
afterAll(async () => {
  await api?.stop();
  await t?.close();
});

/** One request, as the answer the document is checked against (`template`: the path it matched). */
async function call(
  method: string,
  template: string,
  path: string,
  opts: { key?: string; body?: unknown; idempotencyKey?: string } = {},
): Promise<Answer & { headers: Headers }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers,
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
  });
  return { method, path: template, status: res.status, body: await res.json(), headers: res.headers };
}

describe("the reference service's real answers fit contract/api.openapi.json", () => {
  it('accounts, deposits, payouts, transfers, profiles, health: successes and refusals', async () => {
    const operator = await testOperator(t);
    const user = await fundedUser(t, { balance: 10_000, name: 'contract-a' });
    const other = await fundedUser(t, { balance: 0, name: 'contract-b' });
    const answers: Array<Answer & { headers: Headers }> = [];
    const push = async (a: Promise<Answer & { headers: Headers }>) => {
      const answer = await a;
      answers.push(answer);
      return answer;
    };

    const opened = await push(
      call('POST', '/v1/accounts', '/v1/accounts', { key: user.apiKey, body: { currency: 'USD' } }),
    );
    const accountId = (opened.body as { id: string }).id;
    await push(call('POST', '/v1/accounts', '/v1/accounts', { key: user.apiKey, body: { currency: 'usd' } }));
    await push(call('GET', '/v1/accounts/{id}', `/v1/accounts/${accountId}`, { key: user.apiKey }));
    await push(call('GET', '/v1/accounts/{id}', `/v1/accounts/${accountId}`, { key: other.apiKey }));
    await push(call('GET', '/v1/accounts/{id}', `/v1/accounts/${randomUUID()}`, { key: user.apiKey }));
    await push(call('GET', '/v1/accounts/{id}', `/v1/accounts/${accountId}`, { key: 'fl_not-a-key' }));

    const deposit = { amount: 5_000, currency: 'USD' };
    const depositPath = `/v1/accounts/${accountId}/deposits`;
    const depositKey = randomUUID();
    for (let i = 0; i < 2; i++)
      await push(
        call('POST', '/v1/accounts/{id}/deposits', depositPath, {
          key: operator.apiKey,
          body: deposit,
          idempotencyKey: depositKey,
        }),
      );
    await push(
      call('POST', '/v1/accounts/{id}/deposits', depositPath, { key: operator.apiKey, body: deposit }),
    );
    await push(
      call('POST', '/v1/accounts/{id}/deposits', depositPath, {
        key: user.apiKey,
        body: deposit,
        idempotencyKey: randomUUID(),
      }),
    );

    const payout = { accountId: user.accountId, amount: 1_000, currency: 'USD', destination: 'IBAN-C' };
    const payoutKey = randomUUID();
    const paid = await push(
      call('POST', '/v1/payouts', '/v1/payouts', {
        key: user.apiKey,
        body: payout,
        idempotencyKey: payoutKey,
      }),
    );
    await push(
      call('POST', '/v1/payouts', '/v1/payouts', {
        key: user.apiKey,
        body: payout,
        idempotencyKey: payoutKey,
      }),
    );
    await push(
      call('POST', '/v1/payouts', '/v1/payouts', {
        key: user.apiKey,
        body: { ...payout, amount: 2 },
        idempotencyKey: payoutKey,
      }),
    );
    await push(
      call('POST', '/v1/payouts', '/v1/payouts', {
        key: user.apiKey,
        body: { ...payout, amount: 1_000_000 },
        idempotencyKey: randomUUID(),
      }),
    );
    await push(call('POST', '/v1/payouts', '/v1/payouts', { key: user.apiKey, body: payout }));
    const payoutId = (paid.body as { id: string }).id;
    await push(call('GET', '/v1/payouts/{id}', `/v1/payouts/${payoutId}`, { key: user.apiKey }));
    await push(call('GET', '/v1/payouts/{id}', `/v1/payouts/${randomUUID()}`, { key: user.apiKey }));

    const transfer = { fromAccountId: user.accountId, toAccountId: accountId, amount: 100, currency: 'USD' };
    await push(
      call('POST', '/v1/transfers', '/v1/transfers', {
        key: user.apiKey,
        body: transfer,
        idempotencyKey: randomUUID(),
      }),
    );

    await push(call('GET', '/v1/profile', '/v1/profile', { key: user.apiKey }));
    await push(call('PATCH', '/v1/profile', '/v1/profile', { key: user.apiKey, body: { bio: 'contract' } }));
    await push(call('GET', '/v1/profiles/{userId}', `/v1/profiles/${user.userId}`, { key: other.apiKey }));
    await push(call('GET', '/v1/profiles/{userId}', `/v1/profiles/${randomUUID()}`, { key: other.apiKey }));
    await push(call('GET', '/healthz', '/healthz'));
    await push(call('GET', '/readyz', '/readyz'));

    expect(answers.map((a) => `${a.method} ${a.path} ${a.status}`)).toEqual([
      'POST /v1/accounts 201',
      'POST /v1/accounts 400',
      'GET /v1/accounts/{id} 200',
      'GET /v1/accounts/{id} 403',
      'GET /v1/accounts/{id} 404',
      'GET /v1/accounts/{id} 401',
      'POST /v1/accounts/{id}/deposits 201',
      'POST /v1/accounts/{id}/deposits 201',
      'POST /v1/accounts/{id}/deposits 400',
      'POST /v1/accounts/{id}/deposits 403',
      'POST /v1/payouts 201',
      'POST /v1/payouts 201',
      'POST /v1/payouts 422',
      'POST /v1/payouts 422',
      'POST /v1/payouts 400',
      'GET /v1/payouts/{id} 200',
      'GET /v1/payouts/{id} 404',
      'POST /v1/transfers 201',
      'GET /v1/profile 200',
      'PATCH /v1/profile 200',
      'GET /v1/profiles/{userId} 200',
      'GET /v1/profiles/{userId} 404',
      'GET /healthz 200',
      'GET /readyz 200',
    ]);
    // A replay is the stored first answer, marked as such.
    expect(answers[7]?.headers.get('idempotent-replayed')).toBe('true');
    expect(answers[11]?.headers.get('idempotent-replayed')).toBe('true');
    expect(answers.flatMap((a) => misfits(document, a))).toEqual([]);
  });

  it('a rate-limited read: 429 with Retry-After, in the shape the document gives', async () => {
    const user = await fundedUser(t, { balance: 0, name: 'contract-c' });
    const reads = await Promise.all(
      Array.from({ length: 30 }, () =>
        call('GET', '/v1/accounts/{id}', `/v1/accounts/${user.accountId}`, { key: user.apiKey }),
      ),
    );
    const limited = reads.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]?.headers.get('retry-after')).toBeTruthy();
    expect(reads.flatMap((a) => misfits(document, a))).toEqual([]);
  });
});
