import type { BenchOptions } from './options.ts';
import { SECTIONS } from './run.ts';
import { drainFigure } from './sections/drain.ts';
import { INDEX_FIGURE_SUFFIXES, INDEX_QUERIES } from './sections/indexes.ts';
import { LOCK_STRATEGIES, LOCK_STRATEGY_FIGURES } from './sections/lock-strategies.ts';
import { OBSERVED_ROLES } from './sections/observability-cost.ts';
import { PG_QUEUE_LEG_FIGURES, PG_QUEUE_LEGS } from './sections/pg-queue.ts';
import { REPLICATION_LEG_FIGURES, REPLICATION_LEGS, REPLICATION_RATIOS } from './sections/replication.ts';

/**
 * Every figure and finding `npm run bench` writes with these options, by name: what `faultline explain`
 * may point at (harness/explain/items.test.ts checks every bench figure an item names against it).
 * Where a section builds its names from a template, the template is repeated here; bench.test.ts checks
 * that a real `--quick` run writes every name this lists for its options, so a renamed figure breaks
 * that test rather than leaving explain pointing at nothing.
 */
export function benchFigureNames(o: BenchOptions): { figures: Set<string>; findings: Set<string> } {
  const figures: string[] = ['bank_capacity_per_s'];
  for (const s of SECTIONS) {
    for (const m of s.measurements ?? []) {
      // bench/measure.ts baseFigures
      for (const f of ['per_s', 'latency_ms_p50', 'latency_ms_p99', 'latency_ms_max', 'errors'])
        figures.push(`${m.name}_${f}`);
    }
    for (const r of s.ratios ?? []) figures.push(r.name);
  }
  // api-path.ts: the hot row's lock, and what a payout costs (spread, pipeline running).
  figures.push('hot_lock_wait_ms_p99', 'hot_lock_hold_ms_p99', 'fsyncs_per_payout', 'wal_bytes_per_payout');
  figures.push('cpu_ms_per_settled_payout', 'pipeline_settled_per_s');
  for (const p of ['api', 'postgres', 'worker', 'bank', 'relay']) figures.push(`cpu_ms_per_payout_${p}`);
  // drain.ts: the large drain after each round (round r at latency r mod 3), the small ones after contention.
  const large = o.bankLatenciesMs.slice(0, Math.min(o.rounds, o.bankLatenciesMs.length));
  for (const bankLatencyMs of large) figures.push(...drainNames(o.drainLarge, bankLatencyMs));
  for (const bankLatencyMs of o.bankLatenciesMs) figures.push(...drainNames(o.drainSmall, bankLatencyMs));
  // contention.ts
  for (const k of o.contentionAccounts) figures.push(`contention_${k}_accounts_per_s`);
  // worker-sweep.ts
  figures.push('worker_concurrency_knee');
  for (const c of o.sweepLevels) {
    for (const f of ['settled_per_s', 'cpu_ms_per_payout', 'event_loop_lag_ms_p99', 'redis_ops_per_s'])
      figures.push(`worker_concurrency_${c}_${f}`);
  }
  // lock-strategies.ts
  for (const st of LOCK_STRATEGIES)
    for (const f of LOCK_STRATEGY_FIGURES) figures.push(`lock_strategy_${st}_${f}`);
  figures.push('lock_strategy_none_lost_updates');
  // indexes.ts
  figures.push('ledger_entries_rows', 'bank_transfers_rows');
  figures.push('ledger_sum_heap_fetches_vacuumed', 'ledger_page_heap_fetches_vacuumed');
  for (const q of INDEX_QUERIES) for (const f of INDEX_FIGURE_SUFFIXES) figures.push(`${q.name}_${f}`);
  // currencies.ts
  figures.push('single_currency_payouts_per_s', 'multi_currency_payouts_per_s', 'multi_currency_ratio');
  figures.push('currency_mismatch_sent', 'currency_mismatch_refused', 'currency_mismatch_effects');
  // pii.ts
  for (const f of ['values_written', 'opened_for_owner', 'sealed_in_postgres', 'plain_in_postgres'])
    figures.push(`pii_${f}`);
  figures.push('pii_plain_in_cache', 'pii_plain_in_logs', 'pii_seal_ms', 'pii_open_ms');
  // observability-cost.ts (the Prometheus figures only where Prometheus is installed, as it is in CI)
  figures.push('metrics_series_all_processes', 'log_bytes_per_payout', 'prometheus_targets');
  figures.push(
    'prometheus_head_series',
    'prometheus_samples_per_s',
    'prometheus_cpu_pct',
    'prometheus_rss_bytes',
  );
  for (const role of OBSERVED_ROLES) {
    for (const f of ['series', 'scrape_bytes', 'scrape_cpu_ms']) figures.push(`metrics_${f}_${role}`);
  }
  // pg-queue.ts
  for (const leg of PG_QUEUE_LEGS) for (const f of PG_QUEUE_LEG_FIGURES) figures.push(`${leg}_${f}`);
  figures.push('pg_queue_vs_bullmq_settle_ratio');
  // replication.ts
  for (const leg of REPLICATION_LEGS)
    for (const f of REPLICATION_LEG_FIGURES) figures.push(`replication_${leg}_${f}`);
  figures.push(...REPLICATION_RATIOS);
  // users-ramp.ts (its breach figure only when a stage breached)
  const users = o.users % 1000 === 0 ? `${o.users / 1000}k` : String(o.users);
  figures.push(`users_${users}_knee_per_s`, `users_${users}_knee_latency_ms_p99`);

  const findings = [
    'pipeline_steady',
    'worker_concurrency_50',
    `users_${users}_first_limit`,
    'prometheus',
    'postgres_only_queue',
    'lock_strategies',
    'replication',
  ];
  for (const m of SECTIONS.flatMap((s) => s.measurements ?? []).filter((x) => x.name.endsWith('_payouts')))
    findings.push(`${m.name.replace(/_payouts$/, '')}_limit`);
  for (const q of INDEX_QUERIES) findings.push(`index_${q.name}`);
  return { figures: new Set(figures), findings: new Set(findings) };
}

/** drain.ts drainFigures: a drain's rate and its ratio to the ideal. */
const drainNames = (n: number, bankLatencyMs: number) =>
  ['per_s', 'ratio'].map((f) => `${drainFigure(n, bankLatencyMs)}_${f}`);
