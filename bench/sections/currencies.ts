import { randomBytes } from 'node:crypto';
import { runClosed } from '../../harness/load/generator.ts';
import { httpOutcome } from '../../harness/load/http-target.ts';
import { CURRENCY_EXPONENTS } from '../../service/money/currencies.ts';
import type { BenchContext } from '../context.ts';
import { FUNDING, seedUsers } from '../fixtures.ts';
import type { Section } from '../section.ts';
import { countsOf, keyStem } from '../workloads.ts';

/**
 * Multi-currency (design sheet, general-4): an account has one ISO 4217 currency and amounts are
 * integers in its minor unit, so a currency is a column, not a code path. Measured: HTTP payouts of
 * one minor unit with every client paying from an account of its own, all in USD (exponent 2) or
 * mixed over USD, JPY (0) and BHD (3), in alternating legs (A B B A, the pipeline running); and a
 * payout in another currency than its account's, once from every such account, which must be refused
 * with 422 currency_mismatch and leave no ledger entry or transfer behind.
 */

export const CURRENCIES = ['USD', 'JPY', 'BHD'] as const;
type Currency = (typeof CURRENCIES)[number];

const LOCK_TIMEOUT_MS = 10_000;

/** Adds one funded `currency` account to each user, through the service's deposit() by an operator. */
async function accountsIn(ctx: BenchContext, userIds: string[], currency: Currency): Promise<string[]> {
  const { rows } = await ctx.db.query<{ id: string }>(
    'INSERT INTO accounts (user_id, currency) SELECT u, $2 FROM unnest($1::uuid[]) AS t(u) RETURNING id',
    [userIds, currency],
  );
  const ids = rows.map((r) => r.id);
  const operator = await ctx.db.query<{ id: string }>(
    `INSERT INTO users (name, api_key_hash, role) VALUES ('bench-fx-operator', $1, 'operator') RETURNING id`,
    [randomBytes(32)],
  );
  // The same number of major units in every currency (as MAX_AMOUNT scales).
  const amount = Math.floor(FUNDING * 10 ** ((CURRENCY_EXPONENTS[currency] ?? 2) - 2));
  const funded = await ctx.db.query<{ n: number }>(
    `SELECT count(DISTINCT d.response_body ->> 'id')::int AS n
       FROM unnest($1::uuid[]) AS t(a),
            LATERAL deposit($2::uuid, t.a, $3::bigint, $4, NULL, '\\x'::bytea, $5::int) AS d`,
    [ids, operator.rows[0]?.id, amount, currency, LOCK_TIMEOUT_MS],
  );
  if (funded.rows[0]?.n !== ids.length) throw new Error(`funding the ${currency} accounts failed`);
  return ids;
}

interface Payer {
  apiKey: string;
  /** The user's account per currency. */
  accounts: Record<Currency, string>;
}

function payout(
  ctx: BenchContext,
  p: Payer,
  account: string,
  currency: string,
  key: string,
  signal?: AbortSignal,
) {
  return ctx.api.call({
    method: 'POST',
    path: '/v1/payouts',
    headers: { authorization: `Bearer ${p.apiKey}`, 'idempotency-key': key },
    json: { accountId: account, amount: 1, currency, destination: 'IBAN-BENCH-FX' },
    ...(signal ? { signal } : {}),
  });
}

/** One leg: every client pays from its own account, in USD or in its client's currency of the three. */
async function leg(ctx: BenchContext, payers: Payer[], mixed: boolean, seconds: number): Promise<number> {
  const stem = keyStem(mixed ? 'fx-mixed' : 'fx-usd');
  const r = await runClosed({
    clients: payers.length,
    durationMs: seconds * 1000,
    timeoutMs: 10_000,
    request: (i, signal, client) => {
      const p = payers[client] as Payer;
      const currency: Currency = mixed ? (CURRENCIES[client % CURRENCIES.length] as Currency) : 'USD';
      return httpOutcome(payout(ctx, p, p.accounts[currency], currency, `${stem}-${i}`, signal), [201]);
    },
  });
  const counts = countsOf(r);
  if (counts.errors > 0)
    throw new Error(`currency leg: ${counts.errors} payouts failed (${JSON.stringify(counts.errorKinds)})`);
  return counts.perS;
}

async function effects(ctx: BenchContext, accounts: string[]): Promise<number> {
  const { rows } = await ctx.db.query<{ n: number }>(
    `SELECT (SELECT count(*) FROM ledger_entries WHERE account_id = ANY($1::uuid[]))
          + (SELECT count(*) FROM bank_transfers WHERE account_id = ANY($1::uuid[])) AS n`,
    [accounts],
  );
  return Number(rows[0]?.n ?? 0);
}

export const currenciesSection: Section = {
  name: 'currencies',
  title: 'Multi-currency: payouts in USD, JPY and BHD against USD only; a currency mismatch changes nothing',
  estimateS: (o) => 4 * o.shortS + 8,
  async once(ctx) {
    await ctx.pipeline.settle({ timeoutMs: 180_000 });
    const users = await seedUsers(ctx.db, { prefix: 'bench-fx', count: ctx.opts.clients });
    const ids = users.map((u) => u.userId);
    const jpy = await accountsIn(ctx, ids, 'JPY');
    const bhd = await accountsIn(ctx, ids, 'BHD');
    const payers: Payer[] = users.map((u, i) => ({
      apiKey: u.apiKey,
      accounts: { USD: u.accounts[0] as string, JPY: jpy[i] as string, BHD: bhd[i] as string },
    }));
    const seconds = ctx.opts.quick ? 1 : 2;
    const usd: number[] = [];
    const mixed: number[] = [];
    for (const isMixed of [false, true, true, false]) {
      (isMixed ? mixed : usd).push(await leg(ctx, payers, isMixed, seconds));
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const figures: Record<string, number> = {
      single_currency_payouts_per_s: Math.round(mean(usd) * 10) / 10,
      multi_currency_payouts_per_s: Math.round(mean(mixed) * 10) / 10,
      multi_currency_ratio: Math.round((mean(mixed) / mean(usd)) * 1000) / 1000,
    };
    await ctx.pipeline.settle({ timeoutMs: 180_000 });

    // Every JPY and BHD account asked to pay out in another currency: refused, and nothing written.
    const foreign = payers.flatMap((p) => [
      { p, account: p.accounts.JPY, currency: 'USD' },
      { p, account: p.accounts.BHD, currency: 'JPY' },
    ]);
    const before = await effects(ctx, [...jpy, ...bhd]);
    const stem = keyStem('fx-mismatch');
    const answers = await Promise.all(
      foreign.map((f, i) => payout(ctx, f.p, f.account, f.currency, `${stem}-${i}`)),
    );
    const refused = answers.filter(
      (a) => a.status === 422 && (JSON.parse(a.body) as { code?: string }).code === 'currency_mismatch',
    ).length;
    figures.currency_mismatch_sent = foreign.length;
    figures.currency_mismatch_refused = refused;
    figures.currency_mismatch_effects = (await effects(ctx, [...jpy, ...bhd])) - before;
    ctx.say(
      `  payouts/s, USD only ${figures.single_currency_payouts_per_s}, USD/JPY/BHD mixed ${figures.multi_currency_payouts_per_s} ` +
        `(ratio ${figures.multi_currency_ratio}); currency mismatch: ${refused} of ${foreign.length} refused, ` +
        `${figures.currency_mismatch_effects} rows written`,
    );
    return { figures, detail: { usdPerS: usd, mixedPerS: mixed, currencies: CURRENCIES } };
  },
};
