// Malformed, unauthenticated and forbidden requests: each gets its stable error code and changes nothing.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountAudit, fundedUser, type TestEnv, testApi, testEnv, testOperator } from './harness.ts';

type User = Awaited<ReturnType<typeof fundedUser>>;
/** The fixtures a case builds its request from: A and B each own one funded USD account. */
interface World {
  a: User;
  b: User;
  /** The operator's API key: the only kind that may deposit. */
  operator: string;
  aPayoutId: string;
  maxAmount: number;
}
interface Req {
  method: string;
  path: string;
  key?: string;
  idem?: string;
  body?: unknown;
  rawBody?: string | Uint8Array;
  headers?: Record<string, string>;
}
interface Case {
  name: string;
  status: number;
  code: string;
  req: (w: World) => Req;
}

const BALANCE = 1_000_000;

let t: TestEnv;
let api: ReturnType<typeof testApi>;
let w: World;
beforeAll(async () => {
  t = await testEnv();
  api = testApi(t);
  const a = await fundedUser(t, { balance: BALANCE, name: 'a' });
  const b = await fundedUser(t, { balance: BALANCE, name: 'b' });
  const p = await api.call('POST', '/v1/payouts', { key: a.apiKey, idem: randomUUID(), body: payout(a) });
  expect(p.status).toBe(201);
  w = {
    a,
    b,
    operator: (await testOperator(t)).apiKey,
    aPayoutId: p.body.id,
    maxAmount: t.config.MAX_AMOUNT,
  };
});
afterAll(async () => {
  api.close();
  await t.close();
});

const payout = (u: User, over: Record<string, unknown> = {}) => ({
  accountId: u.accountId,
  amount: 100,
  currency: 'USD',
  destination: 'IBAN-1',
  ...over,
});
const without = (o: Record<string, unknown>, field: string) =>
  Object.fromEntries(Object.entries(o).filter(([k]) => k !== field));
const send = (r: Req) => api.call(r.method, r.path, r);

/** Row counts of every table a request could write, and every balance. */
async function snapshot() {
  const { rows } = await t.pool.query(`
    SELECT (SELECT count(*) FROM users)::int AS users,
           (SELECT count(*) FROM accounts)::int AS accounts,
           (SELECT count(*) FROM ledger_entries)::int AS "ledgerEntries",
           (SELECT count(*) FROM bank_transfers)::int AS "bankTransfers",
           (SELECT count(*) FROM idempotency_keys)::int AS "idempotencyKeys",
           (SELECT count(*) FROM deposits)::int AS deposits,
           (SELECT coalesce(jsonb_object_agg(id, balance), '{}') FROM accounts) AS balances`);
  return rows[0];
}

/** Sends the request and asserts it left the database exactly as it found it. */
async function sendUnchanged(r: Req) {
  const before = await snapshot();
  const res = await send(r);
  expect(await snapshot()).toEqual(before);
  return res;
}

const payoutCase = (
  name: string,
  req: (w: World) => Partial<Req>,
  { status = 400, code = 'invalid_request' } = {},
): Case => ({
  name: `payout: ${name}`,
  status,
  code,
  req: (w) => ({ method: 'POST', path: '/v1/payouts', key: w.a.apiKey, idem: randomUUID(), ...req(w) }),
});
const payoutBody = (name: string, body: (w: World) => unknown): Case => ({
  name: `payout: ${name}`,
  status: 400,
  code: 'invalid_request',
  req: (w) => ({ method: 'POST', path: '/v1/payouts', key: w.a.apiKey, idem: randomUUID(), body: body(w) }),
});
const transferBody = (name: string, body: (w: World) => unknown): Case => ({
  name: `transfer: ${name}`,
  status: 400,
  code: 'invalid_request',
  req: (w) => ({ method: 'POST', path: '/v1/transfers', key: w.a.apiKey, idem: randomUUID(), body: body(w) }),
});
const transfer = ({ a, b }: World, over: Record<string, unknown> = {}) => ({
  fromAccountId: a.accountId,
  toAccountId: b.accountId,
  amount: 100,
  currency: 'USD',
  ...over,
});
const depositBody = (name: string, body: unknown): Case => ({
  name: `deposit: ${name}`,
  status: 400,
  code: 'invalid_request',
  req: ({ a, operator }) => ({
    method: 'POST',
    path: `/v1/accounts/${a.accountId}/deposits`,
    key: operator,
    idem: randomUUID(),
    body,
  }),
});
const accountBody = (name: string, req: Partial<Req>): Case => ({
  name: `account creation: ${name}`,
  status: 400,
  code: 'invalid_request',
  req: ({ a }) => ({ method: 'POST', path: '/v1/accounts', key: a.apiKey, ...req }),
});

const malformed: Case[] = [
  payoutCase('no Idempotency-Key', ({ a }) => ({ idem: undefined, body: payout(a) }), {
    code: 'idempotency_key_missing',
  }),
  {
    name: 'transfer: no Idempotency-Key (a retried transfer would move the money twice)',
    status: 400,
    code: 'idempotency_key_missing',
    req: (w) => ({ method: 'POST', path: '/v1/transfers', key: w.a.apiKey, body: transfer(w) }),
  },
  {
    name: 'deposit: no Idempotency-Key (a retried deposit would create the money twice)',
    status: 400,
    code: 'idempotency_key_missing',
    req: ({ a, operator }) => ({
      method: 'POST',
      path: `/v1/accounts/${a.accountId}/deposits`,
      key: operator,
      body: { amount: 100, currency: 'USD' },
    }),
  },
  payoutCase('Idempotency-Key of 256 characters', ({ a }) => ({ idem: 'k'.repeat(256), body: payout(a) })),
  payoutCase('Idempotency-Key with a space', ({ a }) => ({ idem: 'my key', body: payout(a) })),
  payoutCase('Idempotency-Key with a non-ASCII character', ({ a }) => ({ idem: 'clé', body: payout(a) })),
  payoutCase('body not JSON', () => ({ rawBody: '{"accountId": ' })),
  payoutCase('body empty', () => ({ rawBody: '' })),
  payoutCase('no body at all', () => ({})),
  payoutCase('body JSON null', () => ({ rawBody: 'null' })),
  payoutCase('body a JSON string', () => ({ rawBody: '"payout"' })),
  payoutBody('body a JSON array', ({ a }) => [payout(a)]),
  payoutBody('missing destination', ({ a }) => without(payout(a), 'destination')),
  payoutBody('missing amount', ({ a }) => without(payout(a), 'amount')),
  payoutBody('extra unknown field', ({ a }) => payout(a, { memo: 'hi' })),
  payoutBody('amount 0', ({ a }) => payout(a, { amount: 0 })),
  payoutBody('amount negative', ({ a }) => payout(a, { amount: -100 })),
  payoutBody('amount fractional', ({ a }) => payout(a, { amount: 1.5 })),
  payoutBody('amount a string', ({ a }) => payout(a, { amount: '100' })),
  payoutBody('amount null', ({ a }) => payout(a, { amount: null })),
  payoutBody('amount above MAX_AMOUNT', ({ a, maxAmount }) => payout(a, { amount: maxAmount + 1 })),
  payoutBody('amount above 2^53', ({ a }) => payout(a, { amount: 2 ** 60 })),
  // JSON.stringify cannot write 1e400 (Infinity in JS): the raw text goes on the wire as is.
  payoutCase('amount 1e400', ({ a }) => ({
    rawBody: `{"accountId":"${a.accountId}","amount":1e400,"currency":"USD","destination":"IBAN-1"}`,
  })),
  payoutBody('currency lowercase', ({ a }) => payout(a, { currency: 'usd' })),
  payoutBody('currency not in ISO 4217', ({ a }) => payout(a, { currency: 'ABC' })),
  payoutBody('currency without minor units (gold)', ({ a }) => payout(a, { currency: 'XAU' })),
  payoutBody('currency the ISO test code', ({ a }) => payout(a, { currency: 'XTS' })),
  payoutBody('JPY amount above 10,000,000 yen (MAX_AMOUNT in major units)', ({ a, maxAmount }) =>
    payout(a, { currency: 'JPY', amount: maxAmount / 100 + 1 }),
  ),
  payoutBody('currency of 4 letters', ({ a }) => payout(a, { currency: 'USDT' })),
  payoutBody('currency a number', ({ a }) => payout(a, { currency: 840 })),
  payoutBody('accountId not a uuid', ({ a }) => payout(a, { accountId: 'not-a-uuid' })),
  payoutBody('accountId a number', ({ a }) => payout(a, { accountId: 42 })),
  payoutBody('destination empty', ({ a }) => payout(a, { destination: '' })),
  payoutBody('destination of 101 characters', ({ a }) => payout(a, { destination: 'd'.repeat(101) })),
  payoutBody('destination with a NUL character', ({ a }) => payout(a, { destination: 'IBAN\u0000-1' })),
  payoutCase(
    'Content-Type text/plain',
    ({ a }) => ({ body: payout(a), headers: { 'content-type': 'text/plain' } }),
    {
      status: 415,
      code: 'unsupported_media_type',
    },
  ),
  payoutCase('an empty Content-Type', ({ a }) => ({ body: payout(a), headers: { 'content-type': '' } }), {
    status: 415,
    code: 'unsupported_media_type',
  }),
  payoutCase(
    'Content-Type JSON in Latin-1',
    ({ a }) => ({ body: payout(a), headers: { 'content-type': 'application/json; charset=iso-8859-1' } }),
    { status: 415, code: 'unsupported_media_type' },
  ),
  payoutCase(
    'form-encoded',
    () => ({ rawBody: 'amount=100', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    { status: 415, code: 'unsupported_media_type' },
  ),
  // JSON.stringify would escape a lone surrogate, and so does a client: the escape goes on the wire.
  payoutCase(
    'destination with a lone surrogate',
    ({ a }) => ({
      rawBody: `{"accountId":"${a.accountId}","amount":100,"currency":"USD","destination":"IBAN-\\ud800"}`,
    }),
    { code: 'invalid_unicode' },
  ),
  payoutCase(
    'a lone surrogate in an unknown key',
    ({ a }) => ({ rawBody: `{"accountId":"${a.accountId}","\\udc00":1}` }),
    { code: 'invalid_unicode' },
  ),
  payoutCase(
    'a body that is not UTF-8',
    ({ a }) => ({
      rawBody: Buffer.concat([
        Buffer.from(`{"accountId":"${a.accountId}","amount":100,"currency":"USD","destination":"IBAN-`),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('"}'),
      ]),
    }),
    { code: 'invalid_unicode' },
  ),
  {
    name: 'payout: a body over 16 KiB',
    status: 413,
    code: 'payload_too_large',
    req: ({ a }) => ({
      method: 'POST',
      path: '/v1/payouts',
      key: a.apiKey,
      idem: randomUUID(),
      body: payout(a, { destination: 'd'.repeat(16 * 1024) }),
    }),
  },
  transferBody('to the same account', (w) => transfer(w, { toAccountId: w.a.accountId })),
  transferBody('to the same account, its id in upper case', (w) =>
    transfer(w, { toAccountId: w.a.accountId.toUpperCase() }),
  ),
  transferBody('to the same account, both ids in mixed case', (w) =>
    transfer(w, {
      fromAccountId: w.a.accountId.toUpperCase(),
      toAccountId: w.a.accountId.replace(/[a-f]/, (ch) => ch.toUpperCase()),
    }),
  ),
  transferBody('amount 0', (w) => transfer(w, { amount: 0 })),
  transferBody('currency lowercase', (w) => transfer(w, { currency: 'usd' })),
  transferBody('fromAccountId not a uuid', (w) => transfer(w, { fromAccountId: 'nope' })),
  transferBody('missing toAccountId', (w) => without(transfer(w), 'toAccountId')),
  transferBody('extra unknown field', (w) => transfer(w, { note: 'x' })),
  {
    name: 'transfer: Idempotency-Key with a space',
    status: 400,
    code: 'invalid_request',
    req: (w) => ({ method: 'POST', path: '/v1/transfers', key: w.a.apiKey, idem: 'a b', body: transfer(w) }),
  },
  depositBody('amount 0', { amount: 0, currency: 'USD' }),
  depositBody('amount negative', { amount: -5, currency: 'USD' }),
  depositBody('amount fractional', { amount: 0.5, currency: 'USD' }),
  depositBody('amount a string', { amount: '100', currency: 'USD' }),
  depositBody('amount above MAX_AMOUNT', { amount: 1e15, currency: 'USD' }),
  depositBody('missing currency', { amount: 100 }),
  depositBody('extra unknown field', { amount: 100, currency: 'USD', from: 'me' }),
  {
    name: 'deposit: account id not a uuid',
    status: 400,
    code: 'invalid_request',
    req: ({ operator }) => ({
      method: 'POST',
      path: '/v1/accounts/not-a-uuid/deposits',
      key: operator,
      body: { amount: 100, currency: 'USD' },
    }),
  },
  {
    name: 'deposit: Idempotency-Key of 256 characters',
    status: 400,
    code: 'invalid_request',
    req: ({ a, operator }) => ({
      method: 'POST',
      path: `/v1/accounts/${a.accountId}/deposits`,
      key: operator,
      idem: 'k'.repeat(256),
      body: { amount: 100, currency: 'USD' },
    }),
  },
  accountBody('currency lowercase', { body: { currency: 'eur' } }),
  accountBody('currency of 4 letters', { body: { currency: 'EURO' } }),
  accountBody('currency of 2 letters', { body: { currency: 'EU' } }),
  accountBody('currency a number', { body: { currency: 978 } }),
  accountBody('missing currency', { body: {} }),
  accountBody('extra unknown field', { body: { currency: 'EUR', name: 'savings' } }),
  accountBody('body a JSON array', { body: [{ currency: 'EUR' }] }),
  accountBody('body not JSON', { rawBody: 'currency=EUR' }),
  {
    name: 'GET /v1/accounts/not-a-uuid',
    status: 400,
    code: 'invalid_request',
    req: ({ a }) => ({ method: 'GET', path: '/v1/accounts/not-a-uuid', key: a.apiKey }),
  },
  {
    name: 'GET /v1/payouts/not-a-uuid',
    status: 400,
    code: 'invalid_request',
    req: ({ a }) => ({ method: 'GET', path: '/v1/payouts/not-a-uuid', key: a.apiKey }),
  },
];
describe('malformed requests', () => {
  it('the snapshot sees what a valid payout writes', async () => {
    const u = await fundedUser(t, { balance: 1_000 });
    const before = await snapshot();
    const res = await send({
      method: 'POST',
      path: '/v1/payouts',
      key: u.apiKey,
      idem: randomUUID(),
      body: payout(u),
    });
    expect(res.status).toBe(201);
    expect(await snapshot()).not.toEqual(before);
  });

  it.each(malformed)('$name → $status $code', async ({ req, status, code }) => {
    const res = await sendUnchanged(req(w));
    expect(res).toMatchObject({ status, body: { code } });
  });

  const badPayouts: [string, (u: User) => Partial<Req>][] = [
    ['amount 0', (u) => ({ body: payout(u, { amount: 0 }) })],
    ['an extra field', (u) => ({ body: payout(u, { memo: 'x' }) })],
    ['a missing destination', (u) => ({ body: without(payout(u), 'destination') })],
    ['a body that is not JSON', () => ({ rawBody: '{' })],
  ];
  it.each(badPayouts)('a payout with %s does not consume its Idempotency-Key', async (_, bad) => {
    const u = await fundedUser(t, { balance: 1_000 });
    const idem = randomUUID();
    const refused = await sendUnchanged({
      method: 'POST',
      path: '/v1/payouts',
      key: u.apiKey,
      idem,
      ...bad(u),
    });
    expect(refused).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
    const ok = await send({ method: 'POST', path: '/v1/payouts', key: u.apiKey, idem, body: payout(u) });
    expect(ok.status).toBe(201);
    expect(ok.headers.get('idempotent-replayed')).toBeNull();
    expect(await accountAudit(t.pool, u.accountId)).toEqual({ balance: 900, ledger: 900 });
  });
});

describe('401 without a valid API key', () => {
  const auths: [string, Record<string, string>][] = [
    ['no Authorization header', {}],
    ['a Basic credential', { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }],
    ['an unknown Bearer key', { authorization: 'Bearer fl_unknown_key_0123456789' }],
    ['an empty Bearer', { authorization: 'Bearer ' }],
  ];
  const requests: [string, (w: World) => Req][] = [
    ['a payout', ({ a }) => ({ method: 'POST', path: '/v1/payouts', idem: randomUUID(), body: payout(a) })],
    ['an account read', ({ a }) => ({ method: 'GET', path: `/v1/accounts/${a.accountId}` })],
    [
      'a deposit',
      ({ a }) => ({
        method: 'POST',
        path: `/v1/accounts/${a.accountId}/deposits`,
        body: { amount: 100, currency: 'USD' },
      }),
    ],
  ];
  const cases = auths.flatMap(([auth, headers]) =>
    requests.map(([what, req]) => ({ name: `${what} with ${auth}`, headers, req })),
  );
  it.each(cases)('$name → 401 unauthorized', async ({ headers, req }) => {
    const res = await sendUnchanged({ ...req(w), headers });
    expect(res).toMatchObject({ status: 401, body: { code: 'unauthorized' } });
  });
});

describe('the Authorization scheme in any letter case (RFC 9110)', () => {
  it.each(['bearer', 'BEARER', 'Bearer', 'bEaReR'])('%s <key> is accepted', async (scheme) => {
    const res = await send({
      method: 'GET',
      path: `/v1/accounts/${w.a.accountId}`,
      headers: { authorization: `${scheme} ${w.a.apiKey}` },
    });
    expect(res.status).toBe(200);
  });
});

describe("403 on another user's resources, 404 on unknown ones", () => {
  const cases: Case[] = [
    {
      name: "B reads A's account",
      status: 403,
      code: 'forbidden',
      req: ({ a, b }) => ({ method: 'GET', path: `/v1/accounts/${a.accountId}`, key: b.apiKey }),
    },
    {
      name: 'A deposits into their own account (money is created by operators only)',
      status: 403,
      code: 'operator_only',
      req: ({ a }) => ({
        method: 'POST',
        path: `/v1/accounts/${a.accountId}/deposits`,
        key: a.apiKey,
        idem: randomUUID(),
        body: { amount: 100, currency: 'USD' },
      }),
    },
    {
      name: "B deposits into A's account",
      status: 403,
      code: 'operator_only',
      req: ({ a, b }) => ({
        method: 'POST',
        path: `/v1/accounts/${a.accountId}/deposits`,
        key: b.apiKey,
        idem: randomUUID(),
        body: { amount: 100, currency: 'USD' },
      }),
    },
    {
      name: "B pays out from A's account",
      status: 403,
      code: 'forbidden',
      req: ({ a, b }) => ({
        method: 'POST',
        path: '/v1/payouts',
        key: b.apiKey,
        idem: randomUUID(),
        body: payout(a),
      }),
    },
    {
      name: "B transfers from A's account",
      status: 403,
      code: 'forbidden',
      req: (w) => ({
        method: 'POST',
        path: '/v1/transfers',
        key: w.b.apiKey,
        idem: randomUUID(),
        body: transfer(w, { fromAccountId: w.a.accountId, toAccountId: w.b.accountId }),
      }),
    },
    {
      name: "B reads A's payout",
      status: 403,
      code: 'forbidden',
      req: ({ b, aPayoutId }) => ({ method: 'GET', path: `/v1/payouts/${aPayoutId}`, key: b.apiKey }),
    },
    {
      name: 'an unknown account',
      status: 404,
      code: 'account_not_found',
      req: ({ a }) => ({ method: 'GET', path: `/v1/accounts/${randomUUID()}`, key: a.apiKey }),
    },
    {
      name: 'a deposit into an unknown account',
      status: 404,
      code: 'account_not_found',
      req: ({ operator }) => ({
        method: 'POST',
        path: `/v1/accounts/${randomUUID()}/deposits`,
        key: operator,
        idem: randomUUID(),
        body: { amount: 100, currency: 'USD' },
      }),
    },
    {
      name: 'a payout from an unknown account',
      status: 404,
      code: 'account_not_found',
      req: ({ a }) => ({
        method: 'POST',
        path: '/v1/payouts',
        key: a.apiKey,
        idem: randomUUID(),
        body: payout(a, { accountId: randomUUID() }),
      }),
    },
    {
      name: 'a transfer to an unknown account',
      status: 404,
      code: 'destination_not_found',
      req: (w) => ({
        method: 'POST',
        path: '/v1/transfers',
        key: w.a.apiKey,
        idem: randomUUID(),
        body: transfer(w, { toAccountId: randomUUID() }),
      }),
    },
    {
      name: 'an unknown payout',
      status: 404,
      code: 'payout_not_found',
      req: ({ a }) => ({ method: 'GET', path: `/v1/payouts/${randomUUID()}`, key: a.apiKey }),
    },
    {
      name: 'an unknown route under /v1',
      status: 404,
      code: 'route_not_found',
      req: ({ a }) => ({ method: 'GET', path: '/v1/refunds', key: a.apiKey }),
    },
    {
      name: 'an unknown method on a known path',
      status: 404,
      code: 'route_not_found',
      req: ({ a }) => ({ method: 'DELETE', path: `/v1/accounts/${a.accountId}`, key: a.apiKey }),
    },
    {
      name: '/metrics is not on the public port (the ops listener has it)',
      status: 404,
      code: 'route_not_found',
      req: () => ({ method: 'GET', path: '/metrics' }),
    },
    {
      name: 'an unknown route outside /v1',
      status: 404,
      code: 'route_not_found',
      req: () => ({ method: 'GET', path: '/v2/payouts' }),
    },
  ];
  it.each(cases)('$name → $status $code', async ({ req, status, code }) => {
    const res = await sendUnchanged(req(w));
    expect(res).toMatchObject({ status, body: { code } });
  });

  it('answers /readyz on the public port without saying which dependency is down', async () => {
    const res = await send({ method: 'GET', path: '/readyz' });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['status']);
  });

  it("answers B with nothing of A's account or payout", async () => {
    const account = await send({ method: 'GET', path: `/v1/accounts/${w.a.accountId}`, key: w.b.apiKey });
    const p = await send({ method: 'GET', path: `/v1/payouts/${w.aPayoutId}`, key: w.b.apiKey });
    expect(Object.keys(account.body).sort()).toEqual(['code', 'message']);
    expect(Object.keys(p.body).sort()).toEqual(['code', 'message']);
  });
});

describe('422 currency mismatch', () => {
  const cases: Case[] = [
    {
      name: 'a EUR payout from a USD account',
      status: 422,
      code: 'currency_mismatch',
      req: ({ a }) => ({
        method: 'POST',
        path: '/v1/payouts',
        key: a.apiKey,
        idem: randomUUID(),
        body: payout(a, { currency: 'EUR' }),
      }),
    },
    {
      name: 'a EUR deposit into a USD account',
      status: 422,
      code: 'currency_mismatch',
      req: ({ a, operator }) => ({
        method: 'POST',
        path: `/v1/accounts/${a.accountId}/deposits`,
        key: operator,
        idem: randomUUID(),
        body: { amount: 100, currency: 'EUR' },
      }),
    },
  ];
  it.each(cases)('$name → $status $code', async ({ req, status, code }) => {
    const res = await sendUnchanged(req(w));
    expect(res).toMatchObject({ status, body: { code } });
  });

  it('leaves balance and ledger in agreement after every refusal above', async () => {
    for (const u of [w.a, w.b]) {
      const audit = await accountAudit(t.pool, u.accountId);
      expect(audit.balance).toBe(audit.ledger);
    }
    // A's only payout is the one beforeAll made; B was never debited.
    expect((await accountAudit(t.pool, w.a.accountId)).balance).toBe(BALANCE - 100);
    expect((await accountAudit(t.pool, w.b.accountId)).balance).toBe(BALANCE);
  });
});
