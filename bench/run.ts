import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { BankControl } from '../fakes/bank/client.ts';
import { HttpTarget } from '../harness/load/http-target.ts';
import { FRAUD_RULES_WIDE_OPEN } from '../service/fraud/rules.ts';
import { directClients } from '../stack/direct-clients.ts';
import { type Stack, startStack } from '../stack/index.ts';
import { repoRoot } from '../stack/service.ts';
import { renderChart } from './chart.ts';
import type { BenchContext } from './context.ts';
import { seedUsers } from './fixtures.ts';
import { type BenchOptions, pickSections } from './options.ts';
import { findPgbench, Pgbench } from './pgbench.ts';
import { Pipeline } from './pipeline.ts';
import { type BenchResult, CHART_FILE, writeBenchResult } from './result.ts';
import { runRounds } from './rounds.ts';
import type { Section } from './section.ts';
import { apiPathSection } from './sections/api-path.ts';
import { contentionSection } from './sections/contention.ts';
import { currenciesSection } from './sections/currencies.ts';
import { type DrainDetail, drainFigure, roundDrains } from './sections/drain.ts';
import { idempotencySection } from './sections/idempotency.ts';
import { indexesSection } from './sections/indexes.ts';
import { lockStrategiesSection } from './sections/lock-strategies.ts';
import { observabilitySection } from './sections/observability-cost.ts';
import { pgQueueSection } from './sections/pg-queue.ts';
import { piiSection } from './sections/pii.ts';
import { replicationSection } from './sections/replication.ts';
import { usersSection } from './sections/users-ramp.ts';
import { workerSweepSection } from './sections/worker-sweep.ts';
import { limitOf, median, ratioTable, summarizeRounds } from './summary.ts';

/**
 * The sections, in the order they run: round measurements first (all rounds), then each section's
 * one-off work. The users ramp stays last (it leaves its backlog undrained); new sections go before it.
 */
export const SECTIONS: readonly Section[] = [
  apiPathSection,
  idempotencySection,
  contentionSection,
  workerSweepSection,
  lockStrategiesSection,
  indexesSection,
  currenciesSection,
  piiSection,
  observabilitySection,
  pgQueueSection,
  replicationSection,
  usersSection,
];

function commit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: repoRoot,
      encoding: 'utf8',
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    return dirty ? `${head}-dirty` : head;
  } catch {
    return 'unknown';
  }
}

const clock = (ms: number) => {
  const s = Math.floor(ms / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};

/** Runs the whole bench on a fresh native stack; writes result.json and the chart into its run directory. */
export async function runBench(
  opts: BenchOptions,
  print: (line: string) => void,
): Promise<{ result: BenchResult; dir: string }> {
  const startedAt = new Date();
  const runId = `${startedAt.toISOString().replace(/[:.]/g, '-')}-bench${opts.quick ? '-quick' : ''}`;
  const dir = join(opts.out, runId);
  mkdirSync(join(dir, 'pgbench'), { recursive: true });
  const logFile = join(dir, 'bench.log');
  const say = (line: string) => {
    const stamped = `[${clock(Date.now() - startedAt.getTime())}] ${line}`;
    print(stamped);
    appendFileSync(logFile, `${stamped}\n`);
  };
  const loadAvgStart = Math.round((loadavg()[0] ?? 0) * 100) / 100;
  const sections = pickSections(SECTIONS, opts.only);
  findPgbench();
  say(
    `bench ${runId}: ${sections.map((s) => s.name).join(', ')}; ${opts.rounds} round(s) × ${opts.durationS} s, about ${estimateMinutes(opts)} min on an idle 2-core machine; files in ${dir}`,
  );
  say(`starting the stack (PostgreSQL, both Redis, bank, api, relay, worker, recon)`);
  // The bench measures the money path, not the fraud rules: the screen runs (one Redis script a payout)
  // but never holds one, as in the scenarios (a bench user makes thousands of payouts an hour).
  // Its api runs with PAYOUT_COALESCE=off, so that hot_api_db_ratio and the pipeline figures compare
  // with every run before coalescing became the default; the default (on) is measured beside them by an
  // api of its own (hot_coalesced_api_db_payouts), in the same rounds.
  const stack: Stack = await startStack({
    env: { ...FRAUD_RULES_WIDE_OPEN, PAYOUT_COALESCE: 'off' },
    log: (line) => appendFileSync(logFile, `  stack: ${line}\n`),
  });
  const closers: Array<() => unknown> = [];
  try {
    const { db, redis, queue, close } = directClients(stack, { poolMax: 6, applicationName: 'bench' });
    closers.push(close);
    const api = new HttpTarget((stack.api as { url: string }).url, { maxSockets: 64 });
    closers.push(() => api.close());
    const bankUrl = (stack.bank as { url: string }).url;
    const pipeline = new Pipeline(
      stack.services.filter((s) => s.role === 'relay' || s.role === 'worker' || s.role === 'recon'),
      db,
      queue,
    );
    say('seeding the bench users (batched SQL through the service’s deposit())');
    const payers = await seedUsers(db, { prefix: 'bench-payer', count: 64 });
    const movers = await seedUsers(db, { prefix: 'bench-mover', count: opts.clients, accountsPerUser: 2 });
    const [backlog] = await seedUsers(db, { prefix: 'bench-backlog', count: 1, accountsPerUser: 16 });
    if (!backlog) throw new Error('could not create the backlog user');
    say(
      `pgbench: a database of its own on the same server, tpcb-like at scale ${opts.pgbenchScale} and the hot-row tables`,
    );
    const pgbench = await Pgbench.prepare(stack.postgres, join(dir, 'pgbench'), opts.pgbenchScale);
    const ctx: BenchContext = {
      opts,
      stack,
      db,
      api,
      bank: new BankControl({ baseUrl: bankUrl }),
      bankUrl,
      queue,
      redis,
      pipeline,
      pgbench,
      fixtures: { payers, movers, backlog },
      known: {},
      runDir: dir,
      say,
    };

    const measurements = sections.flatMap((s) => s.measurements ?? []);
    const ratios = sections.flatMap((s) => s.ratios ?? []);
    const drains: DrainDetail[] = [];
    const rounds = await runRounds(ctx, measurements, ratios, roundDrains(ctx, drains));
    const { figures, ranges } = summarizeRounds(rounds);
    const findings: Record<string, string> = {};
    const detail: Record<string, unknown> = {};
    for (const m of measurements.filter((x) => x.name.endsWith('_payouts'))) {
      findings[`${m.name.replace(/_payouts$/, '')}_limit`] = limitOf(
        rounds.flatMap((r) => r.results.filter((x) => x.name === m.name)),
        cpus().length,
      );
    }
    findings.pipeline_steady = steadiness(
      rounds.flatMap((r) => r.results.filter((x) => x.name === 'spread_pipeline_payouts')),
    );
    for (const s of sections) {
      if (!s.once) continue;
      say(`${s.title}`);
      const out = await s.once(ctx);
      Object.assign(figures, out.figures);
      Object.assign(findings, out.findings ?? {});
      if (out.detail !== undefined) detail[s.name] = out.detail;
      for (const [k, v] of Object.entries(s.findings?.(figures, rounds) ?? {})) findings[k] = v;
    }
    const contentionDetail = detail.contention as { drains: DrainDetail[] } | undefined;
    drains.push(...(contentionDetail?.drains ?? []));
    const curve = opts.contentionAccounts.map((k) => ({
      accounts: k,
      perS: figures[`contention_${k}_accounts_per_s`] ?? 0,
    }));
    const ratioRows = ratioTable(rounds, ratios);
    const capacities = drains.flatMap((d) => (d.bankCapacityPerS === undefined ? [] : [d.bankCapacityPerS]));
    const bankCapacityPerS = capacities.length ? median(capacities) : 0;
    const pgVersion =
      (await db.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? '?';
    const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
    const cpuList = cpus();
    const result: BenchResult = {
      schemaVersion: 1,
      kind: 'bench',
      runId,
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      options: { ...opts },
      machine: {
        cpus: cpuList.length,
        cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
        memGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
        node: process.version,
        postgres: `PostgreSQL ${pgVersion}`,
        redis: redisVersion,
        commit: commit(),
        loadAvgStart,
        loadAvgEnd: Math.round((loadavg()[0] ?? 0) * 100) / 100,
      },
      figures: { ...figures, bank_capacity_per_s: bankCapacityPerS },
      ranges,
      findings,
      sections: {
        rounds,
        ratios: ratioRows,
        measurements: measurements.map((m) => ({ name: m.name, label: m.label, pipeline: m.pipeline })),
        drains,
        contention: curve,
        ...(detail.worker_concurrency
          ? { worker_concurrency: detail.worker_concurrency as BenchResult['sections']['worker_concurrency'] }
          : {}),
        ...(detail.users_ramp
          ? { users_ramp: detail.users_ramp as BenchResult['sections']['users_ramp'] }
          : {}),
        bank: { capacityPerS: bankCapacityPerS },
      },
    };
    writeBenchResult(dir, result);
    writeFileSync(
      join(dir, CHART_FILE),
      renderChart({
        title: `faultline bench ${runId} (${cpuList.length} cores, load average ${loadAvgStart})`,
        contention: curve,
        sweep: result.sections.worker_concurrency?.points ?? [],
        ratios: [
          ...ratioRows,
          ...drains.map((d) => ({
            name: `${drainFigure(d.n, d.bankLatencyMs)}_ratio`,
            perRound: [d.ratio],
            median: d.ratio,
          })),
        ],
      }),
    );
    return { result, dir };
  } finally {
    for (const close of closers.reverse()) await Promise.resolve(close()).catch(() => {});
    await stack.stop().catch((err: Error) => say(`stopping the stack: ${err.message}`));
    cpSync(join(stack.dir, 'logs'), join(dir, 'logs'), { recursive: true });
    rmSync(stack.dir, { recursive: true, force: true });
    rmSync(join(dir, 'pgbench'), { recursive: true, force: true });
  }
}

/** A rough duration of the selected sections, plus set-up; see each section's estimateS. Printed, never relied on. */
export function estimateMinutes(o: BenchOptions): number {
  const seconds = pickSections(SECTIONS, o.only).reduce((sum, s) => sum + (s.estimateS?.(o) ?? 0), 35);
  return Math.round((seconds / 60) * 2) / 2;
}

/** Whether the pipeline kept up in the spread measurement: open payouts before vs after. */
function steadiness(
  results: ReadonlyArray<{ ok: number; wallMs: number; settled?: { openBefore: number; openAfter: number } }>,
): string {
  const grew = results.map(
    (r) => ((r.settled?.openAfter ?? 0) - (r.settled?.openBefore ?? 0)) / (r.wallMs / 1000),
  );
  const accepted = results.map((r) => r.ok / (r.wallMs / 1000));
  if (grew.length === 0) return 'not measured';
  const worst = Math.max(...grew);
  const rate = Math.max(...accepted);
  return worst <= 0.05 * rate
    ? `steady: the queue did not grow (at most ${worst.toFixed(1)} open payouts/s while ${rate.toFixed(0)}/s were accepted)`
    : `not steady: open payouts grew by up to ${worst.toFixed(0)}/s while ${rate.toFixed(0)}/s were accepted; pipeline_settled_per_s is then the pipeline's capacity under that load`;
}
