import type { BenchContext } from '../context.ts';
import type { PgbenchWorkload } from '../pgbench.ts';
import type { Section } from '../section.ts';
import { median } from '../summary.ts';

/**
 * Lock strategies (design sheet, db-2: SERIALIZABLE or not): the same debit — check the
 * balance covers 1, subtract it, append a row — under (a) SELECT … FOR UPDATE at READ COMMITTED (the
 * service's), (b) one conditional UPDATE … WHERE balance >= 1, (c) SERIALIZABLE with 40001 retried,
 * (d) an optimistic version column with a miss retried; each on one hot account and on one account
 * per client, with pgbench on the same PostgreSQL (bench/pgbench/lock-*.sql), in passes whose order
 * reverses (a b c d, d c b a). SQL-level on purpose: the strategies differ in what the database does,
 * and pgbench shows it without the HTTP path in front.
 *
 * After every run the exact-debits check: the rows appended equal the money taken (no lost update) and
 * no balance is negative. An unlocked read-modify-write (lock-none.sql, the sabotage) runs once on the
 * hot account to show that this check fails when a strategy is wrong.
 */

export const LOCK_STRATEGIES = ['for_update', 'conditional_update', 'serializable', 'optimistic'] as const;
type Strategy = (typeof LOCK_STRATEGIES)[number];
type Shape = 'hot' | 'spread';

/** Figure names per strategy (unit last, `lock_strategy_<name>_…`); bench/figure-names.ts lists them. */
export const LOCK_STRATEGY_FIGURES = [
  'hot_per_s',
  'spread_per_s',
  'hot_latency_ms_p99',
  'spread_latency_ms_p99',
  'retries_per_1000',
  'aborts',
  'lost_updates',
] as const;

interface RunResult {
  strategy: Strategy | 'none';
  shape: Shape;
  perS: number;
  latencyMsP99: number;
  transactions: number;
  retries: number;
  failed: number;
  /** Rows appended minus money taken: debits that overwrote each other. */
  lostUpdates: number;
  negativeBalances: number;
}

async function ledgerState(ctx: BenchContext): Promise<{ rows: number; taken: number; negative: number }> {
  const [r] = await ctx.pgbench.query<{ rows: string; balance: string; accounts: string; negative: string }>(
    `SELECT (SELECT count(*) FROM bench_transfers) AS rows,
            sum(balance) AS balance, count(*) AS accounts, count(*) FILTER (WHERE balance < 0) AS negative
       FROM bench_accounts`,
  );
  // Each account starts at 10^15 (schema.sql): what was taken is that times the accounts, minus the sum.
  const taken = Number(BigInt(r?.accounts ?? 0) * 1_000_000_000_000_000n - BigInt(r?.balance ?? 0));
  return { rows: Number(r?.rows ?? 0), taken, negative: Number(r?.negative ?? 0) };
}

async function runOne(ctx: BenchContext, strategy: Strategy | 'none', shape: Shape): Promise<RunResult> {
  const before = await ledgerState(ctx);
  const r = await ctx.pgbench.run(`lock_${strategy}` as PgbenchWorkload, {
    clients: ctx.opts.clients,
    seconds: ctx.opts.shortS,
    defines: { spread: shape === 'spread' ? 1 : 0 },
  });
  const after = await ledgerState(ctx);
  return {
    strategy,
    shape,
    perS: Math.round(r.tps * 10) / 10,
    latencyMsP99: r.latency.p99,
    transactions: r.transactions,
    retries: r.retries,
    failed: r.failed,
    lostUpdates: after.rows - before.rows - (after.taken - before.taken),
    negativeBalances: after.negative,
  };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

export const lockStrategiesSection: Section = {
  name: 'lock_strategies',
  title:
    'Lock strategies: FOR UPDATE, a conditional UPDATE, SERIALIZABLE and optimistic versions, with pgbench',
  // Passes × strategies × (hot, spread) runs of shortS (at least 2 s each), the sabotage, set-up.
  estimateS: (o) => (o.quick ? 1 : 2) * LOCK_STRATEGIES.length * 2 * (Math.max(2, o.shortS) + 1) + 10,
  async once(ctx) {
    const passes = ctx.opts.quick ? 1 : 2;
    const runs: RunResult[] = [];
    for (let p = 0; p < passes; p++) {
      const order = p % 2 === 0 ? [...LOCK_STRATEGIES] : [...LOCK_STRATEGIES].reverse();
      for (const strategy of order) {
        for (const shape of ['hot', 'spread'] as const) {
          const r = await runOne(ctx, strategy, shape);
          runs.push(r);
          ctx.say(
            `  ${strategy.padEnd(18)} ${shape.padEnd(6)} ${r.perS.toFixed(0).padStart(6)}/s  p99 ${r.latencyMsP99} ms  ` +
              `retries ${r.retries}  failed ${r.failed}  lost updates ${r.lostUpdates}`,
          );
        }
      }
    }
    const sabotage = await runOne(ctx, 'none', 'hot');
    ctx.say(`  unlocked read-modify-write (sabotage), hot: ${sabotage.lostUpdates} lost updates`);

    const figures: Record<string, number> = {};
    for (const s of LOCK_STRATEGIES) {
      const of = (shape: Shape) => runs.filter((r) => r.strategy === s && r.shape === shape);
      const all = runs.filter((r) => r.strategy === s);
      const committed = all.reduce((n, r) => n + r.transactions, 0);
      const stem = `lock_strategy_${s}`;
      figures[`${stem}_hot_per_s`] = round3(median(of('hot').map((r) => r.perS)));
      figures[`${stem}_spread_per_s`] = round3(median(of('spread').map((r) => r.perS)));
      figures[`${stem}_hot_latency_ms_p99`] = round3(median(of('hot').map((r) => r.latencyMsP99)));
      figures[`${stem}_spread_latency_ms_p99`] = round3(median(of('spread').map((r) => r.latencyMsP99)));
      figures[`${stem}_retries_per_1000`] =
        committed > 0 ? Math.round((all.reduce((n, r) => n + r.retries, 0) / committed) * 10_000) / 10 : 0;
      figures[`${stem}_aborts`] = all.reduce((n, r) => n + r.failed, 0);
      figures[`${stem}_lost_updates`] = all.reduce((n, r) => n + r.lostUpdates + r.negativeBalances, 0);
    }
    figures.lock_strategy_none_lost_updates = sabotage.lostUpdates;
    return {
      figures,
      findings: { lock_strategies: finding(figures, sabotage) },
      detail: { runs, sabotage },
    };
  },
};

function finding(f: Record<string, number>, sabotage: RunResult): string {
  const get = (s: Strategy, k: string) => f[`lock_strategy_${s}_${k}`] ?? 0;
  const broken = LOCK_STRATEGIES.filter((s) => get(s, 'lost_updates') !== 0);
  const best = (k: string) => [...LOCK_STRATEGIES].sort((a, b) => get(b, k) - get(a, k))[0] as Strategy;
  const hot = best('hot_per_s');
  const parts = LOCK_STRATEGIES.map(
    (s) =>
      `${s} ${get(s, 'hot_per_s')}/s hot, ${get(s, 'spread_per_s')}/s spread, ${get(s, 'retries_per_1000')} retries per 1,000, ${get(s, 'aborts')} aborted`,
  );
  const exact = broken.length
    ? `exact debits BROKEN for ${broken.join(', ')}`
    : 'exact debits held for all four (rows appended = money taken, no negative balance)';
  const check =
    sabotage.lostUpdates > 0
      ? `the unlocked read-modify-write lost ${sabotage.lostUpdates} updates, so the check can fail`
      : 'the unlocked read-modify-write lost no update this time (the check was not shown failing)';
  const ratio =
    get('for_update', 'hot_per_s') > 0 ? get(hot, 'hot_per_s') / get('for_update', 'hot_per_s') : 0;
  return (
    `${parts.join('; ')}. ${exact}; ${check}. Fastest on the hot account: ${hot}` +
    (hot === 'for_update' ? '' : ` (${ratio.toFixed(2)}× for_update)`) +
    '. The service keeps FOR UPDATE inside one function call (one round trip, like the conditional UPDATE): ' +
    'it queues debits instead of aborting them, its payout also writes a ledger entry, an outbox row and a stored response under the same lock, ' +
    'and SERIALIZABLE and optimistic versions pay in retries exactly on a hot account'
  );
}
