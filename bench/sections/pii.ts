import { randomBytes, randomInt } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { PiiCipher } from '../../service/pii/pii-cipher.ts';
import { redisClientOptions } from '../../stack/index.ts';
import type { BenchContext } from '../context.ts';
import { type BenchUser, seedUsers } from '../fixtures.ts';
import type { Section } from '../section.ts';

/**
 * Personal data at rest (design sheet, general-6), end to end on the bench's stack: users set an email
 * and a phone through PATCH /v1/profile, read their profile and dashboard back (filling the cache),
 * and then every table of the database, every value in the cache Redis and every process log is
 * searched for those plain values — none may hold one. The owner's own GET must return them (so the
 * search looks for the right strings, and the sealed values open). Also what sealing and opening one
 * value costs (service/pii/pii-cipher.ts: AES-256-GCM, node:crypto), timed in this process.
 */

const USERS = 40;
const CIPHER_ROUNDS = 20_000;

interface Marked {
  user: BenchUser;
  email: string;
  phone: string;
}

async function call(
  ctx: BenchContext,
  user: BenchUser,
  method: 'GET' | 'PATCH',
  path: string,
  body?: unknown,
) {
  const api = ctx.stack.api;
  if (!api) throw new Error('the stack has no api');
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${user.apiKey}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text;
}

/** How many times any of `needles` occurs in `haystack`. */
export function occurrences(haystack: string, needles: readonly string[]): number {
  let n = 0;
  for (const needle of needles) {
    for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) n++;
  }
  return n;
}

/** Rows of every table in the public schema whose text holds one of the needles. */
async function plainInPostgres(ctx: BenchContext, needles: string[]): Promise<number> {
  const { rows: tables } = await ctx.db.query<{ t: string }>(
    "SELECT quote_ident(table_name) AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
  );
  let n = 0;
  for (const { t } of tables) {
    const { rows } = await ctx.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${t} x WHERE x::text LIKE ANY ($1::text[])`,
      [needles.map((s) => `%${s}%`)],
    );
    n += rows[0]?.n ?? 0;
  }
  return n;
}

/** Every value of every key in the cache Redis, searched for the needles; and how many keys there were. */
async function plainInCache(ctx: BenchContext, needles: string[]): Promise<{ keys: number; found: number }> {
  const cache = new Redis(ctx.stack.redisCache.url, {
    lazyConnect: true,
    ...redisClientOptions(ctx.stack.info(), 'cache'),
  });
  await cache.connect();
  try {
    let keys = 0;
    let found = 0;
    let cursor = '0';
    do {
      const [next, batch] = await cache.scan(cursor, 'COUNT', 1000);
      cursor = next;
      for (const key of batch) {
        keys++;
        const type = await cache.type(key);
        const values =
          type === 'string'
            ? [(await cache.get(key)) ?? '']
            : type === 'hash'
              ? Object.values(await cache.hgetall(key))
              : type === 'list'
                ? await cache.lrange(key, 0, -1)
                : type === 'set'
                  ? await cache.smembers(key)
                  : type === 'zset'
                    ? await cache.zrange(key, 0, -1)
                    : [];
        found += occurrences(values.join('\n'), needles);
      }
    } while (cursor !== '0');
    return { keys, found };
  } finally {
    cache.disconnect();
  }
}

function plainInLogs(dir: string, needles: string[]): number {
  let n = 0;
  for (const f of readdirSync(dir)) n += occurrences(readFileSync(join(dir, f), 'utf8'), needles);
  return n;
}

/** Mean ms to seal and to open one value, with a throwaway key. */
function cipherCost(): { sealMs: number; openMs: number } {
  const cipher = new PiiCipher([{ id: 'bench', key: randomBytes(32) }]);
  const context = { userId: '00000000-0000-4000-8000-000000000000', field: 'email' as const };
  const sealed = [];
  const t0 = performance.now();
  for (let i = 0; i < CIPHER_ROUNDS; i++) sealed.push(cipher.seal(`person-${i}@example.com`, context));
  const t1 = performance.now();
  for (const s of sealed) cipher.open(s, context);
  const t2 = performance.now();
  const per = (ms: number) => Math.round((ms / CIPHER_ROUNDS) * 10_000) / 10_000;
  return { sealMs: per(t1 - t0), openMs: per(t2 - t1) };
}

export const piiSection: Section = {
  name: 'pii',
  title: 'Personal data at rest: emails and phones set through the API, then searched for in plain',
  estimateS: (o) => (o.quick ? 8 : 15),
  async once(ctx) {
    const users = await seedUsers(ctx.db, { prefix: 'bench-pii', count: USERS });
    // Markers that occur nowhere else: a random token in every email, a random stem in every phone.
    const token = randomBytes(6).toString('hex');
    const stem = String(randomInt(1_000_000, 9_999_999));
    const marked: Marked[] = users.map((user, i) => ({
      user,
      email: `pii-${token}-${i}@bench.example`,
      phone: `+4930${stem}${String(i).padStart(2, '0')}`,
    }));
    let opened = 0;
    // Eight users at a time, each: set, read back, dashboard.
    for (let i = 0; i < marked.length; i += 8) {
      await Promise.all(
        marked.slice(i, i + 8).map(async (m) => {
          await call(ctx, m.user, 'PATCH', '/v1/profile', { email: m.email, phone: m.phone });
          const own = await call(ctx, m.user, 'GET', '/v1/profile');
          if (own.includes(m.email) && own.includes(m.phone)) opened++;
          await call(ctx, m.user, 'GET', '/v1/dashboard');
        }),
      );
    }
    // The phone without its "+" too: a log or a row could hold it either way.
    const needles = [`pii-${token}-`, `4930${stem}`];
    const { rows } = await ctx.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM profiles WHERE user_id = ANY($1::uuid[]) AND email_enc LIKE 'pii1.%' AND phone_enc LIKE 'pii1.%'",
      [users.map((u) => u.userId)],
    );
    const cache = await plainInCache(ctx, needles);
    const cost = cipherCost();
    const figures: Record<string, number> = {
      pii_values_written: marked.length * 2,
      pii_opened_for_owner: opened * 2,
      pii_sealed_in_postgres: (rows[0]?.n ?? 0) * 2,
      pii_plain_in_postgres: await plainInPostgres(ctx, needles),
      pii_plain_in_cache: cache.found,
      pii_plain_in_logs: plainInLogs(join(ctx.stack.dir, 'logs'), needles),
      pii_seal_ms: cost.sealMs,
      pii_open_ms: cost.openMs,
    };
    ctx.say(
      `  ${figures.pii_values_written} values written, ${figures.pii_sealed_in_postgres} sealed in Postgres, ` +
        `${figures.pii_opened_for_owner} opened for their owner; found in plain: Postgres ${figures.pii_plain_in_postgres}, ` +
        `cache ${figures.pii_plain_in_cache} (${cache.keys} keys searched), logs ${figures.pii_plain_in_logs}; ` +
        `seal ${cost.sealMs} ms, open ${cost.openMs} ms`,
    );
    return { figures, detail: { users: USERS, cacheKeys: cache.keys } };
  },
};
