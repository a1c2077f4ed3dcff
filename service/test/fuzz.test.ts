// Property-based fuzzing of the whole API (fast-check): at least 500 hostile requests a run, spread over
// every endpoint, against the real Postgres and Redis. Whatever the input: no 5xx, every refusal is a
// JSON body with a stable `code`, and no refusal changes the database (row counts and a hash of every
// table's content, before and after). The seed is printed: FUZZ_SEED=<seed> replays a run exactly.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, fundedUser, type TestEnv, testApi, testEnv, testOperator } from './harness.ts';

const RUNS = 600;
const TABLES = [
  'users',
  'accounts',
  'ledger_entries',
  'bank_transfers',
  'idempotency_keys',
  'profiles',
  'deposits',
  'payout_holds',
  'cache_invalidations',
];

let t: TestEnv;
let api: ReturnType<typeof testApi>;
let world: { a: User; b: User; operator: string; aPayoutId: string };
type User = Awaited<ReturnType<typeof fundedUser>>;

beforeAll(async () => {
  // Limits out of the way, so the requests reach validation and the database rather than the limiter.
  t = await testEnv({
    RATE_LIMIT_BALANCE: '100000/1000',
    RATE_LIMIT_PROFILE_READ: '100000/1000',
    RATE_LIMIT_PROFILE_WRITE: '100000/1000',
  });
  api = testApi(t);
  await eventually(async () => api.reads.link.trusted());
  const a = await fundedUser(t, { balance: 10_000_000, name: 'fuzz-a' });
  const b = await fundedUser(t, { balance: 10_000_000, name: 'fuzz-b' });
  const operator = (await testOperator(t)).apiKey;
  const p = await api.call('POST', '/v1/payouts', {
    key: a.apiKey,
    idem: randomUUID(),
    body: { accountId: a.accountId, amount: 100, currency: 'USD', destination: 'IBAN-1' },
  });
  world = { a, b, operator, aPayoutId: p.body.id };
});
afterAll(async () => {
  await api?.close();
  await t?.close();
});

/** Row count and md5 of the content of every table a request could write. */
async function snapshot(): Promise<Record<string, string>> {
  const parts = TABLES.map(
    (table) =>
      `(SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') FROM ${table} x) AS ${table}`,
  );
  const { rows } = await t.pool.query(`SELECT ${parts.join(', ')}`);
  return rows[0];
}

// ---- the hostile request generator ------------------------------------------------------------------
// Each request starts valid for its endpoint and then gets one hostile change (or, now and then, none,
// so that accepted requests move state along): one field replaced, dropped or added, the body's bytes
// broken, an id in the path swapped, or a header (key, Content-Type, Idempotency-Key) made wrong.

const LONE_SURROGATES = ['\ud800', '\udbff', '\udc00', '\udfff', 'a\ud83d', '\ude00b', 'caf\ud800e'];
const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }), // lone surrogates included
  fc.constantFrom(...LONE_SURROGATES, '\u0000', 'a\u0000b', '', ' ', '💸', 'é'.normalize('NFD'), '\u202e'),
  fc.constantFrom('x'.repeat(101), 'x'.repeat(501), 'x'.repeat(17 * 1024)),
  fc.constantFrom("' OR 1=1 --", '<script>', '../../etc/passwd', '%00', `$${'{jndi:x}'}`, '__proto__'),
);
const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 2 ** 53, 2 ** 53 + 2, 1e15, 1e16, Number.MAX_SAFE_INTEGER, 0.5, -0),
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: hostileNumber },
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 3 }),
  fc.anything({ maxDepth: 2 }),
);
const hostileCurrency = fc.oneof(
  fc.constantFrom('EUR', 'JPY', 'BHD', 'usd', 'XAU', 'XTS', 'XXX', 'ABC', 'US', 'USDT', ''),
  hostileValue,
);
const hostileId = fc.oneof(
  fc.constant((w: World) => w.b.accountId),
  fc.constant((w: World) => w.a.accountId.toUpperCase()),
  fc.uuid().map((u) => () => u),
  hostileString.map((s) => () => s),
);

type World = typeof world;

/** A path segment: every UTF-8 byte percent-encoded (a lone surrogate goes as U+FFFD's bytes, as a URL would). */
const pathSegment = (s: string) =>
  [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

interface FuzzRequest {
  endpoint: string;
  method: string;
  path: string;
  key?: string;
  /** `bearer` in some letter case; default `Bearer`. */
  scheme?: string;
  idem?: string;
  contentType?: string;
  body?: string | Uint8Array;
}

/** A valid request of one endpoint: where ids and a JSON body go, filled in from the world. */
interface Base {
  method: string;
  path: (id: string) => string;
  /** The id that goes in the path, valid. */
  id?: (w: World) => string;
  key: (w: World) => string;
  idem?: boolean;
  json?: (w: World) => Record<string, unknown>;
  /** Hostile values that matter most for each field (besides hostileValue). */
  fields?: Record<string, fc.Arbitrary<unknown>>;
}

const payoutBody = (w: World) => ({
  accountId: w.a.accountId,
  amount: 100,
  currency: 'USD',
  destination: 'IBAN-FUZZ',
});
const endpoints: Record<string, Base> = {
  'POST /v1/accounts': {
    method: 'POST',
    path: () => '/v1/accounts',
    key: (w) => w.a.apiKey,
    json: () => ({ currency: 'EUR' }),
    fields: { currency: hostileCurrency },
  },
  'GET /v1/accounts/:id': {
    method: 'GET',
    path: (id) => `/v1/accounts/${id}`,
    id: (w) => w.a.accountId,
    key: (w) => w.a.apiKey,
  },
  'POST /v1/accounts/:id/deposits': {
    method: 'POST',
    path: (id) => `/v1/accounts/${id}/deposits`,
    id: (w) => w.a.accountId,
    key: (w) => w.operator,
    idem: true,
    json: () => ({ amount: 1_000, currency: 'USD' }),
    fields: { amount: hostileNumber, currency: hostileCurrency },
  },
  'POST /v1/payouts': {
    method: 'POST',
    path: () => '/v1/payouts',
    key: (w) => w.a.apiKey,
    idem: true,
    json: payoutBody,
    fields: {
      amount: hostileNumber,
      currency: hostileCurrency,
      accountId: hostileId.map((f) => f(world)),
      destination: fc.oneof(hostileString, fc.constantFrom(...LONE_SURROGATES.map((s) => `IBAN-${s}`))),
    },
  },
  'GET /v1/payouts/:id': {
    method: 'GET',
    path: (id) => `/v1/payouts/${id}`,
    id: (w) => w.aPayoutId,
    key: (w) => w.a.apiKey,
  },
  'POST /v1/transfers': {
    method: 'POST',
    path: () => '/v1/transfers',
    key: (w) => w.a.apiKey,
    idem: true,
    json: (w) => ({ fromAccountId: w.a.accountId, toAccountId: w.b.accountId, amount: 100, currency: 'USD' }),
    fields: {
      fromAccountId: hostileId.map((f) => f(world)),
      // The same account as the source, in any letter case: a transfer to itself.
      toAccountId: fc.oneof(
        fc
          .constantFrom(
            (w: World) => w.a.accountId,
            (w: World) => w.a.accountId.toUpperCase(),
          )
          .map((f) => f(world)),
        hostileId.map((f) => f(world)),
      ),
      amount: hostileNumber,
      currency: hostileCurrency,
    },
  },
  'GET /v1/profile': { method: 'GET', path: () => '/v1/profile', key: (w) => w.a.apiKey },
  'PATCH /v1/profile': {
    method: 'PATCH',
    path: () => '/v1/profile',
    key: (w) => w.a.apiKey,
    json: () => ({
      displayName: 'Fuzz',
      bio: 'hello',
      locale: 'en',
      timezone: 'UTC',
      email: 'fuzz@example.com',
      phone: '+4930123456',
      dashboardLayout: ['balances'],
    }),
    fields: {
      displayName: hostileString,
      bio: hostileString,
      email: fc.oneof(hostileString, fc.constantFrom(...LONE_SURROGATES.map((s) => `a${s}@example.com`))),
      phone: hostileString,
      timezone: hostileString,
      dashboardLayout: fc.array(hostileString, { maxLength: 8 }),
      version: hostileValue,
    },
  },
  'GET /v1/profiles/:userId': {
    method: 'GET',
    path: (id) => `/v1/profiles/${id}`,
    id: (w) => w.b.userId,
    key: (w) => w.a.apiKey,
  },
  'GET /v1/dashboard': { method: 'GET', path: () => '/v1/dashboard', key: (w) => w.a.apiKey },
  'ops and unknown routes': {
    method: 'GET',
    path: (id) => `/${id}`,
    id: () => 'healthz',
    key: (w) => w.a.apiKey,
  },
};

type Mutate = (
  r: FuzzRequest,
  base: Base,
  json: Record<string, unknown> | undefined,
  w: World,
) => FuzzRequest;

function mutations(base: Base): fc.Arbitrary<Mutate>[] {
  const keys = Object.keys(base.fields ?? {});
  const serialize = (r: FuzzRequest, json: unknown): FuzzRequest => ({ ...r, body: JSON.stringify(json) });
  const out: fc.Arbitrary<Mutate>[] = [
    fc.constant((r) => r), // none: a valid request
    fc
      .oneof(
        fc.constantFrom('fl_unknown', '', 'x'.repeat(300), 'a b'),
        fc.constant('<other>'),
        fc.constant('<operator>'),
        fc.constant('<none>'),
      )
      .map(
        (k): Mutate =>
          (r, _b, _j, w) => {
            if (k === '<none>') return { ...r, key: undefined };
            if (k === '<other>') return { ...r, key: w.b.apiKey };
            if (k === '<operator>') return { ...r, key: w.operator };
            return { ...r, key: k };
          },
      ),
    fc.constantFrom('bearer', 'BEARER', 'Basic', 'Token', '').map(
      (scheme): Mutate =>
        (r) => ({ ...r, scheme }),
    ),
    fc
      .constantFrom(
        '/healthz',
        '/readyz',
        '/metrics',
        '/v1',
        '/v2/payouts',
        '/%zz',
        '/v1/profiles/%ED%A0%80',
        '/v1/accounts/%00',
        '/v1/payouts/',
      )
      .map(
        (path): Mutate =>
          (r) => ({ ...r, path }),
      ),
    fc.constantFrom('PUT', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'POST', 'GET').map(
      (method): Mutate =>
        (r) => ({ ...r, method }),
    ),
  ];
  if (base.id)
    out.push(
      hostileId.map(
        (id): Mutate =>
          (r, b, _j, w) => ({ ...r, path: b.path(pathSegment(id(w))) }),
      ),
    );
  if (base.idem)
    out.push(
      fc
        .oneof(
          fc.constantFrom('fuzz-1', 'fuzz-2', 'fuzz-3'),
          fc.constantFrom('', 'a b', 'k'.repeat(256), 'é', 'tab\there'),
          fc.constant(undefined),
        )
        .map(
          (idem): Mutate =>
            (r) => ({ ...r, idem }),
        ),
    );
  if (base.json) {
    out.push(
      fc
        .constantFrom(
          'text/plain',
          'application/json; charset=latin1',
          'application/x-www-form-urlencoded',
          '',
          'APPLICATION/JSON; charset="UTF-8"',
        )
        .map(
          (contentType): Mutate =>
            (r) => ({ ...r, contentType }),
        ),
      fc.constant((r) => ({ ...r, contentType: undefined })),
      fc
        .oneof(
          fc.constantFrom('', 'null', '[]', '{', '{"a":1e400}', 'amount=1', '\u0000', '"x"'),
          fc.constant('<bytes>'),
          fc.constant('<truncated>'),
        )
        .map(
          (raw): Mutate =>
            (r) => {
              if (raw === '<bytes>')
                return {
                  ...r,
                  body: Buffer.concat([Buffer.from(String(r.body)), Buffer.from([0xc3, 0x28, 0xff])]),
                };
              if (raw === '<truncated>') return { ...r, body: String(r.body).slice(0, -1) };
              return { ...r, body: raw };
            },
        ),
      fc.tuple(hostileString, hostileValue).map(
        ([k, v]): Mutate =>
          (r, _b, json) =>
            serialize(r, { ...json, [k]: v }),
      ),
    );
    if (keys.length > 0) {
      out.push(
        fc.constantFrom(...keys).map(
          (k): Mutate =>
            (r, _b, json) => {
              const { [k]: _, ...rest } = json ?? {};
              return serialize(r, rest);
            },
        ),
        fc
          .constantFrom(...keys)
          .chain((k) =>
            fc
              .oneof({ weight: 3, arbitrary: base.fields?.[k] as fc.Arbitrary<unknown> }, hostileValue)
              .map((v) => [k, v] as const),
          )
          .map(
            ([k, v]): Mutate =>
              (r, _b, json) =>
                serialize(r, { ...json, [k]: v }),
          ),
        // A lone surrogate written as a JSON escape, as a client sends one.
        fc.constantFrom(...keys).map(
          (k): Mutate =>
            (r, _b, json) => ({
              ...r,
              body: JSON.stringify({ ...json, [k]: 'MARK' }).replace('"MARK"', '"x\\ud800y"'),
            }),
        ),
      );
    }
  }
  return out;
}

const request = fc.oneof(
  ...Object.entries(endpoints).map(([endpoint, base]) =>
    fc.oneof(...mutations(base)).map((mutate) => (w: World): FuzzRequest => {
      const json = base.json?.(w);
      const valid: FuzzRequest = {
        endpoint,
        method: base.method,
        path: base.path(base.id ? pathSegment(base.id(w)) : ''),
        key: base.key(w),
        ...(base.idem ? { idem: randomUUID() } : {}),
        ...(json ? { contentType: 'application/json', body: JSON.stringify(json) } : {}),
      };
      return mutate(valid, base, json, w);
    }),
  ),
);

async function send(r: FuzzRequest) {
  const headers: Record<string, string> = {};
  if (r.key !== undefined) headers.authorization = `${r.scheme ?? 'Bearer'} ${r.key}`;
  if (r.idem !== undefined) headers['idempotency-key'] = r.idem;
  if (r.contentType !== undefined) headers['content-type'] = r.contentType;
  const hasBody = r.body !== undefined && !['GET', 'HEAD'].includes(r.method);
  const res = await api.app.request(r.path, {
    method: r.method,
    headers,
    body: hasBody ? (r.body as BodyInit) : undefined,
  });
  const text = await res.text();
  return { status: res.status, text };
}

describe('fuzzing every endpoint with hostile requests', () => {
  it(`answers ${RUNS} of them without a 5xx, with a JSON code on every refusal, changing nothing when it refuses`, async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
    const byEndpoint: Record<string, number> = {};
    const byStatus: Record<string, number> = {};
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(request, async (build) => {
        const r = build(world);
        const before = await snapshot();
        const res = await send(r);
        const after = await snapshot();
        sent++;
        byEndpoint[r.endpoint] = (byEndpoint[r.endpoint] ?? 0) + 1;
        byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
        const where = `${r.method} ${r.path} → ${res.status} ${res.text.slice(0, 300)}`;
        expect(res.status, where).toBeLessThan(500);
        if (res.status < 400) return;
        if (r.method !== 'HEAD') {
          const body = JSON.parse(res.text);
          expect(typeof body.code, where).toBe('string');
          expect(body.code, where).toMatch(/^[a-z_]+$/);
        }
        // The one refusal that is stored: insufficient_funds is kept against its key, like a success.
        if (res.status === 422 && JSON.parse(res.text).code === 'insufficient_funds') {
          expect({ ...after, idempotency_keys: '' }, where).toEqual({ ...before, idempotency_keys: '' });
        } else {
          expect(after, where).toEqual(before);
        }
      }),
      { numRuns: RUNS, seed, endOnFailure: true },
    );
    process.stdout.write(
      `fuzz: ${sent} hostile requests (seed ${seed}); by status ${JSON.stringify(byStatus)}; by endpoint ${JSON.stringify(byEndpoint)}\n`,
    );
    expect(sent).toBeGreaterThanOrEqual(500);
    for (const endpoint of Object.keys(endpoints))
      expect(byEndpoint[endpoint] ?? 0, endpoint).toBeGreaterThanOrEqual(10);
  }, 600_000);
});
